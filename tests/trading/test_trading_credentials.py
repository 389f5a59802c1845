"""Credentials (env, 0600 file, keyring), the Secret type, redaction and the audit log."""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path

import pytest

from hedgetui.clock import ManualClock
from hedgetui.config import AccountSettings
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.credentials import (
    CredentialsError,
    Secret,
    load_credentials,
    redact,
)

SECRET = "s3cr3t-VALUE-never-printed"


def test_secret_never_prints_itself() -> None:
    s = Secret(SECRET)
    assert repr(s) == "***" and str(s) == "***" and f"{s}" == "***"
    assert SECRET not in repr([s, {"k": s}])
    assert s.reveal() == SECRET


def test_redact_replaces_every_secret() -> None:
    text = f"error: key={SECRET} other=abcd1234 tiny=ab"
    out = redact(text, [Secret(SECRET), "abcd1234", "ab"])
    assert SECRET not in out and "abcd1234" not in out
    assert out == "error: key=*** other=*** tiny=ab"  # 1-3 character values are left alone


def test_from_env() -> None:
    account = AccountSettings(
        name="main", venue="bybit", api_key_env="K", api_secret_env="S", permissions="trade"
    )
    creds = load_credentials(account, {"K": "key-1", "S": SECRET})
    assert creds.api_secret.reveal() == SECRET and creds.source == "env"
    assert SECRET not in repr(creds)
    with pytest.raises(CredentialsError, match="environment variable S is empty"):
        load_credentials(account, {"K": "key-1"})
    with pytest.raises(CredentialsError, match="no API credentials found"):
        load_credentials(account, {})


def test_okx_needs_a_passphrase() -> None:
    account = AccountSettings(name="o", venue="okx", api_key_env="K", api_secret_env="S")
    with pytest.raises(CredentialsError, match="passphrase"):
        load_credentials(account, {"K": "key", "S": SECRET})
    account = AccountSettings(
        name="o", venue="okx", api_key_env="K", api_secret_env="S", passphrase_env="P"
    )
    creds = load_credentials(account, {"K": "key", "S": SECRET, "P": "phrase"})
    assert creds.passphrase is not None and creds.passphrase.reveal() == "phrase"


def test_file_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "creds.toml"
    path.write_text(f'[main]\napi_key = "key-1"\napi_secret = "{SECRET}"\n')
    account = AccountSettings(name="main", venue="bitmex", credentials_file=str(path))
    os.chmod(path, 0o644)
    with pytest.raises(
        CredentialsError, match=r"accessible by group/others \(mode 0644\).*chmod 600"
    ):
        load_credentials(account, {})
    os.chmod(path, 0o600)
    creds = load_credentials(account, {})
    assert creds.api_key.reveal() == "key-1" and creds.api_secret.reveal() == SECRET


def test_bad_file_contents_are_named(tmp_path: Path) -> None:
    path = tmp_path / "creds.toml"
    path.write_text('[main]\napi_key = "k"\n')
    os.chmod(path, 0o600)
    account = AccountSettings(name="main", venue="bitmex", credentials_file=str(path))
    with pytest.raises(CredentialsError, match="needs string api_key and api_secret"):
        load_credentials(account, {})
    path.write_text("not = [toml")
    with pytest.raises(CredentialsError, match="not valid TOML"):
        load_credentials(account, {})


def test_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    store = {("svc", "main:api_key"): "key-1", ("svc", "main:api_secret"): SECRET}
    fake = types.ModuleType("keyring")
    fake.get_password = lambda service, user: store.get((service, user))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    account = AccountSettings(name="main", venue="deribit", keyring_service="svc")
    creds = load_credentials(account, {})
    assert creds.source == "keyring" and creds.api_secret.reveal() == SECRET


def test_keyring_missing_package_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)
    account = AccountSettings(name="main", venue="deribit", keyring_service="svc")
    with pytest.raises(CredentialsError, match="'keyring' package is not installed"):
        load_credentials(account, {})


def test_audit_log_is_append_only_jsonl_and_redacted(tmp_path: Path) -> None:
    path = tmp_path / "state" / "audit.jsonl"
    log = AuditLog(path, clock=ManualClock(1_700_000_000.0), secrets=[Secret(SECRET)])
    log.write("plan", order={"client_order_id": "hu1"})
    log.write("reply", error=f"bad signature for {SECRET}", nested=[{"x": SECRET}])
    again = AuditLog(path, clock=ManualClock(1_700_000_001.0))
    again.write("result", status="filled")
    lines = path.read_text().splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["plan", "reply", "result"]
    assert SECRET not in path.read_text()
    assert json.loads(lines[1])["error"] == "bad signature for ***"
    assert json.loads(lines[0])["ts"] == 1_700_000_000.0
    assert (path.stat().st_mode & 0o077) == 0  # created private
