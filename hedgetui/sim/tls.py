"""A test certificate authority and a server certificate for the simulator's ``wss://``.

Made at run time with the ``openssl`` command (no new dependency): a CA, and a certificate for
``127.0.0.1``, ``::1`` and ``localhost`` signed by it. The simulator serves with
:meth:`SimCA.server_context`; a client trusts the CA as it would trust a venue's, through
``SSL_CERT_FILE=<ca.pem>`` (read by ``ssl.create_default_context``, which the feeds use) or
:meth:`SimCA.client_context`.

    ca = make_test_ca(folder)
    sim = await start_simulator(tls=ca.server_context())
    os.environ["SSL_CERT_FILE"] = str(ca.ca_file)
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

_DAYS = "2"
_SAN = "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"


class TlsError(RuntimeError):
    """The test certificates could not be made (no ``openssl``, or it failed)."""


@dataclass(frozen=True, slots=True)
class SimCA:
    """The files of a test CA and of the server certificate it signed."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


def make_test_ca(folder: str | Path) -> SimCA:
    """Write ``ca.pem``, ``cert.pem`` and ``key.pem`` into ``folder``; raises TlsError."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise TlsError("the openssl command is needed to make the test certificates")
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (
        d / "ca-key.pem",
        d / "ca.pem",
        d / "key.pem",
        d / "cert.csr",
        d / "cert.pem",
    )
    ext = d / "cert.ext"
    ext.write_text(
        _SAN + "\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
    )
    steps = [
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", _DAYS),
            *("-keyout", str(ca_key), "-out", str(ca), "-subj", "/CN=hedgetui simulator test CA"),
            *("-addext", "basicConstraints=critical,CA:TRUE"),
            *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
        ],
        [
            *(openssl, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key)),
            *("-out", str(csr), "-subj", "/CN=127.0.0.1"),
        ],
        [
            *(openssl, "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key)),
            *("-CAcreateserial", "-out", str(cert), "-days", _DAYS, "-extfile", str(ext)),
        ],
    ]
    for cmd in steps:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise TlsError(f"openssl {cmd[1]} failed: {last}")
    return SimCA(ca, cert, key)
