"""GCP Secret Manager v1 REST on a loopback origin, for the official client with ``transport="rest"``.

Routes (``/v1/projects/{project}/secrets...``): ``versions/{v}:access``, ``:addVersion``, secrets
create/get/list, versions list/get and ``versions/{v}:disable|enable|destroy``. Names in answers
carry the project *number*, as the real service does. Errors are Google's
``{"error": {code, message, status}}``; a denied permission is 403 ``PERMISSION_DENIED`` naming the
permission and resource, "(or it may not exist)". Enums come back as numbers when the client asks
for ``$alt=json;enum-encoding=int`` (the official client does), else as names.

Test switches: ``deny(permission, secret=None)`` refuses an IAM permission (for every secret or
one); ``put(name, value)`` seeds a secret; ``value(name)`` reads the newest enabled version.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from sandbox.clock import Clock
from sandbox.secretmanager.store import (
    DESTROYED,
    DISABLED,
    ENABLED,
    MAX_PAYLOAD_BYTES,
    STATE_NUMBERS,
    Secret,
    Version,
    crc32c,
)
from sandbox.server import App, Request, Response

STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED",
                500: "INTERNAL", 503: "UNAVAILABLE"}
BASE = "/v1/projects/{project}/secrets"


class SecretManagerApp(App):
    """One Secret Manager project: ``project_id`` (also reachable by ``project_number``)."""

    name = "secretmanager"

    def __init__(self, clock: Clock, project_id: str, project_number: str):
        super().__init__()
        self.clock = clock
        self.project_id = project_id
        self.project_number = project_number
        self.secrets: dict[str, Secret] = {}
        self.denied: set[tuple[str, str | None]] = set()  # (permission, secret or None = all)
        self.require_auth = False  # True: a request without a bearer token is 401
        self.route("GET", BASE + "/{secret}/versions/{version}:access", self.access)
        self.route("POST", BASE + "/{secret}:addVersion", self.add_version)
        self.route("GET", BASE + "/{secret}/versions", self.list_versions)
        self.route("GET", BASE + "/{secret}/versions/{version}", self.get_version)
        for action in ("disable", "enable", "destroy"):
            self.route("POST", BASE + "/{secret}/versions/{version}:" + action,
                       lambda request, action=action: self.change_state(request, action))
        self.route("GET", BASE + "/{secret}", self.get_secret)
        self.route("GET", BASE, self.list_secrets)
        self.route("POST", BASE, self.create_secret)

    # --- test helpers ---------------------------------------------------------------------

    def env(self, url: str) -> dict[str, str]:
        """Point our code at this stand-in; enabling it as the secrets source is a separate
        choice (``PRP__SECRETS=gcp``), so other tests keep their environment secrets."""
        return {"PRP__SECRETS_ENDPOINT": url, "PRP__SECRETS_PROJECT": self.project_id}

    def put(self, name: str, value: str) -> int:
        """Create ``name`` if needed and add ``value`` as its newest version; returns its number."""
        secret = self.secrets.setdefault(name, Secret(name, self.clock.now()))
        return secret.add(value.encode(), self.clock.now()).number

    def value(self, name: str) -> str | None:
        """The newest enabled version of ``name`` (None when there is none)."""
        secret = self.secrets.get(name)
        return secret.latest_value() if secret else None

    def deny(self, permission: str, secret: str | None = None) -> None:
        """Refuse an IAM permission, e.g. ``secretmanager.versions.access``, for one secret or all."""
        self.denied.add((permission, secret))

    # --- plumbing -------------------------------------------------------------------------

    def error(self, status: int, code: str, message: str) -> Response:
        grpc = code if code.isupper() else STATUS_NAMES.get(status, "UNKNOWN")
        return Response(status, {"error": {"code": status, "message": message, "status": grpc}})

    def before(self, request: Request, endpoint: str) -> Response | None:
        if self.require_auth and not (request.header("authorization") or "").startswith("Bearer "):
            return self.error(401, "UNAUTHENTICATED", "Request is missing required authentication "
                              "credential. Expected OAuth 2 access token, login cookie or other "
                              "valid authentication credential.")
        if request.params.get("project") not in (self.project_id, self.project_number):
            return self.error(403, "PERMISSION_DENIED", "Permission denied on resource project "
                              f"{request.params.get('project')}.")
        return None

    def _check(self, permission: str, request: Request, resource: str) -> None:
        secret = request.params.get("secret")
        if (permission, None) in self.denied or (permission, secret) in self.denied:
            raise _Failure(403, f"Permission '{permission}' denied for resource '{resource}' "
                                "(or it may not exist).")

    def dispatch(self, request: Request) -> Response | None:
        try:
            return super().dispatch(request)
        except _Failure as exc:
            return self.error(exc.status, exc.grpc or STATUS_NAMES.get(exc.status, "UNKNOWN"),
                              exc.message)

    def _path(self, request: Request, suffix: str = "") -> str:
        return f"projects/{request.params['project']}/secrets/{request.params['secret']}{suffix}"

    def _name(self, secret: str, suffix: str = "") -> str:
        return f"projects/{self.project_number}/secrets/{secret}{suffix}"

    def _secret(self, request: Request) -> Secret:
        secret = self.secrets.get(request.params["secret"])
        if secret is None:
            raise _Failure(404, f"Secret [{self._name(request.params['secret'])}] not found.")
        return secret

    def _version(self, request: Request, secret: Secret) -> Version:
        version = secret.version(request.params["version"])
        if version is None:
            label = self._name(secret.name, f"/versions/{request.params['version']}")
            if request.params["version"] == "latest":
                raise _Failure(404, f"Secret [{self._name(secret.name)}] not found or has no versions.")
            raise _Failure(404, f"Secret Version [{label}] not found.")
        return version

    # --- rendering ------------------------------------------------------------------------

    def _state(self, request: Request, state: str) -> Any:
        wants_numbers = "enum-encoding=int" in (request.arg("$alt") or "")
        return STATE_NUMBERS[state] if wants_numbers else state

    def _version_json(self, request: Request, secret: Secret, version: Version) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self._name(secret.name, f"/versions/{version.number}"),
            "createTime": _timestamp(version.created),
            "state": self._state(request, version.state),
            "replicationStatus": {"automatic": {}},
            "etag": f'"{version.number}{version.state[0].lower()}"',
        }
        if version.client_checksum:
            body["clientSpecifiedPayloadChecksum"] = True
        return body

    def _secret_json(self, secret: Secret) -> dict[str, Any]:
        return {"name": self._name(secret.name), "replication": {"automatic": {}},
                "createTime": _timestamp(secret.created), "etag": '"1"'}

    # --- handlers -------------------------------------------------------------------------

    def access(self, request: Request) -> Response:
        """``versions.access``: the payload of one version (base64) with its CRC32C."""
        self._check("secretmanager.versions.access", request,
                    self._path(request, f"/versions/{request.params['version']}"))
        secret = self._secret(request)
        version = self._version(request, secret)
        if version.state != ENABLED:
            label = self._name(secret.name, f"/versions/{version.number}")
            raise _Failure(400, f"Secret Version [{label}] is in {version.state} state.",
                           "FAILED_PRECONDITION")
        return Response(200, {
            "name": self._name(secret.name, f"/versions/{version.number}"),
            "payload": {"data": base64.b64encode(version.data).decode(),
                        "dataCrc32c": str(crc32c(version.data))},
        })

    def add_version(self, request: Request) -> Response:
        """``secrets.addVersion``: the secret must exist; the payload is base64, at most 64 KiB."""
        self._check("secretmanager.versions.add", request, self._path(request))
        secret = self._secret(request)
        data, checksum = self._payload(request)
        version = secret.add(data, self.clock.now(), client_checksum=checksum is not None)
        return Response(200, self._version_json(request, secret, version))

    def _payload(self, request: Request) -> tuple[bytes, int | None]:
        try:
            payload = request.json().get("payload") or {}
            data = base64.b64decode(payload.get("data") or "", validate=True)
        except (ValueError, binascii.Error, AttributeError):
            raise _Failure(400, "Invalid JSON payload or payload.data is not base64.") from None
        if len(data) > MAX_PAYLOAD_BYTES:
            raise _Failure(400, f"Secret payload cannot exceed {MAX_PAYLOAD_BYTES} bytes.")
        checksum = payload.get("dataCrc32c")
        if checksum is not None and int(checksum) != crc32c(data):
            raise _Failure(400, "Checksum mismatch: payload.data_crc32c does not match the data.")
        return data, None if checksum is None else int(checksum)

    def list_versions(self, request: Request) -> Response:
        """``versions.list``: newest first; ``filter=state:ENABLED`` style filters on state."""
        self._check("secretmanager.versions.list", request, self._path(request))
        secret = self._secret(request)
        wanted = (request.arg("filter") or "").removeprefix("state:").strip().upper() or None
        versions = [v for v in reversed(secret.versions) if wanted in (None, v.state)]
        body: dict[str, Any] = {"totalSize": 0 if wanted else len(versions)}
        if versions:
            body["versions"] = [self._version_json(request, secret, v) for v in versions]
        return Response(200, body)

    def get_version(self, request: Request) -> Response:
        self._check("secretmanager.versions.get", request,
                    self._path(request, f"/versions/{request.params['version']}"))
        secret = self._secret(request)
        return Response(200, self._version_json(request, secret, self._version(request, secret)))

    def change_state(self, request: Request, action: str) -> Response:
        """``versions.disable|enable|destroy``; a destroyed version loses its data for good."""
        self._check(f"secretmanager.versions.{action}", request,
                    self._path(request, f"/versions/{request.params['version']}"))
        secret = self._secret(request)
        version = self._version(request, secret)
        if version.state == DESTROYED:
            raise _Failure(400, "A destroyed version cannot change state.", "FAILED_PRECONDITION")
        version.state = {"disable": DISABLED, "enable": ENABLED, "destroy": DESTROYED}[action]
        if action == "destroy":
            version.data = b""
        return Response(200, self._version_json(request, secret, version))

    def get_secret(self, request: Request) -> Response:
        self._check("secretmanager.secrets.get", request, self._path(request))
        return Response(200, self._secret_json(self._secret(request)))

    def list_secrets(self, request: Request) -> Response:
        self._check("secretmanager.secrets.list", request, f"projects/{request.params['project']}")
        secrets = [self._secret_json(s) for s in sorted(self.secrets.values(), key=lambda s: s.name)]
        body: dict[str, Any] = {"totalSize": len(secrets)}
        if secrets:
            body["secrets"] = secrets
        return Response(200, body)

    def create_secret(self, request: Request) -> Response:
        """``secrets.create`` with ``?secretId=``; an existing name is 409 ALREADY_EXISTS."""
        self._check("secretmanager.secrets.create", request, f"projects/{request.params['project']}")
        secret_id = request.arg("secretId") or ""
        if not secret_id:
            raise _Failure(400, "secret_id is required.")
        if secret_id in self.secrets:
            raise _Failure(409, f"Secret [{self._name(secret_id)}] already exists.")
        secret = self.secrets[secret_id] = Secret(secret_id, self.clock.now())
        return Response(200, self._secret_json(secret))


class _Failure(Exception):
    def __init__(self, status: int, message: str, grpc: str | None = None):
        super().__init__(message)
        self.status, self.message, self.grpc = status, message, grpc


def _timestamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def create_app(profile: str, seed: int, clock: Clock) -> SecretManagerApp:
    """An empty Secret Manager project; tests and the demo seed the secrets they need."""
    return SecretManagerApp(clock, project_id=f"prp-sandbox-{seed}",
                            project_number=str(100000000000 + seed))


__all__ = ["SecretManagerApp", "create_app"]
