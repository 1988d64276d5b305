"""Cached answers with exact invalidation: versioned entries (`store`), the versions a domain
event makes stale (`invalidation`)."""
