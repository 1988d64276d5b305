"""What Django's error pages and error e-mails may show of a failed request.

Django's SafeExceptionReporterFilter hides what `sensitive_variables` and
`sensitive_post_parameters` name, but only with DEBUG off: the DEBUG page of `make run` showed a
registration's plaintext password. This filter applies with DEBUG on too, and hides more: every
variable and POST field whose name looks secret, such keys inside dicts, and any variable whose
text holds a secret the request carried (a password in a JSON body, a token), wherever it sits.
"""

import json
import re

from django.views.debug import SafeExceptionReporterFilter


class SecretsFilter(SafeExceptionReporterFilter):
    # Django's names, and refresh tokens.
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|REFRESH", flags=re.IGNORECASE
    )

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if request is None:
            return parameters
        cleansed = parameters.copy()
        for name in parameters:
            if self.hidden_settings.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        secrets = _secrets_of(request, self.hidden_settings)
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if value != self.cleansed_substitute:
                value = self.cleanse_setting(name, value)
            if secrets and value != self.cleansed_substitute:
                try:
                    text = repr(value)
                except Exception:  # the reporter shows a failing repr as such
                    text = ""
                if any(secret in text for secret in secrets):
                    value = self.cleansed_substitute
            yield name, value


def _secrets_of(request, hidden) -> list[str]:
    """Values of the request's fields and headers whose names look secret."""
    if request is None:
        return []
    found = []
    try:
        body = json.loads(request.body) if request.body else None
    except Exception:  # not JSON, or already read as a stream
        body = None
    stack = [body] if isinstance(body, dict | list) else []
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, value in pairs:
            if isinstance(value, dict | list):
                stack.append(value)
            elif isinstance(value, str) and value and hidden.search(str(key)):
                found.append(value)
    for name, value in request.POST.items() if hasattr(request, "POST") else ():
        if value and hidden.search(name):
            found.append(value)
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:
        found.append(authorization.partition(" ")[2] or authorization)
    return [secret for secret in found if len(secret) >= 4]
