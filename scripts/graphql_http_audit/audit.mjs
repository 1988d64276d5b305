// Audits a running Stride against the GraphQL-over-HTTP specification with graphql-http's own
// server audit: `node audit.mjs http://127.0.0.1:8000/graphql/`. Prints every audit; exits 1
// when one ends in a warning or an error (notices are MAY-level and are listed, not failed).
import { auditServer } from "graphql-http";

const url = process.argv[2] ?? "http://127.0.0.1:8000/graphql/";

let results;
try {
  results = await auditServer({ url });
} catch (error) {
  console.error(`Could not audit ${url}: ${error.message}. Is Stride running (make run)?`);
  process.exit(2);
}

const counts = {};
for (const result of results) {
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  console.log(`${result.status.padEnd(6)} ${result.id} ${result.name}`);
  if (result.status !== "ok") {
    console.log(`       ${result.reason}`);
    if (result.response) {
      const body = await result.response.text().catch(() => "");
      const type = result.response.headers.get("content-type");
      console.log(`       got ${result.response.status} ${type}: ${body.slice(0, 200)}`);
    }
  }
}
console.log(
  `${url}: ${Object.entries(counts)
    .map(([status, count]) => `${count} ${status}`)
    .join(", ")}`,
);
process.exit(counts.warn || counts.error ? 1 : 0);
