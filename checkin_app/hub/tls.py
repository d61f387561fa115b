"""The hub's self-signed TLS certificate: made once with `cryptography`, pinned by desks by its SHA-256."""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from checkin_app.sync.protocol import fingerprint_of

CERT_FILE = "hub-cert.pem"
KEY_FILE = "hub-key.pem"
VALID_DAYS = 825


@dataclass(frozen=True, slots=True)
class HubCertificate:
    """Paths of the certificate and key, and the fingerprint desks pin."""

    cert_path: Path
    key_path: Path
    fingerprint: str


def _names() -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName("localhost"),
                                     x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    host = socket.gethostname()
    if host and host != "localhost":
        names.append(x509.DNSName(host))
    return names


def ensure_certificate(folder: Path) -> HubCertificate:
    """Load the hub certificate from `folder`, or make a new self-signed one there (key mode 0600)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    if not (cert_path.exists() and key_path.exists()):
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "checkin-desk hub"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Check-in desk")])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(_names()), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        tmp_key = key_path.with_suffix(".tmp")
        fd = os.open(tmp_key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        os.replace(tmp_key, key_path)
        tmp_cert = cert_path.with_suffix(".tmp")
        tmp_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        os.replace(tmp_cert, cert_path)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return HubCertificate(cert_path, key_path,
                          fingerprint_of(cert.public_bytes(serialization.Encoding.DER)))
