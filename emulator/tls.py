"""HTTPS for the emulator: a private CA and a server certificate made at start, or given files.

    python -m emulator --tls --tls-dir DIR                 # DIR/ca.crt is the CA to trust
    python -m emulator --tls --tls-names ks.example.com    # a certificate for another name (mismatch)
    python -m emulator --tls --tls-expired                 # a certificate that expired yesterday
    python -m emulator --tls --tls-cert server.pem --tls-key server.key

The certificate names 127.0.0.1, ::1 and localhost by default, as a private-CA ingress would name
the console's host. Only needed with --tls, so the `cryptography` package is imported here alone.
"""

import datetime
import ipaddress
import os
import ssl
import tempfile

DEFAULT_NAMES = ("127.0.0.1", "::1", "localhost")
CA_FILE = "ca.crt"


def make_pair(directory, names=DEFAULT_NAMES, expired=False):
    """Write ca.crt, server.crt and server.key into directory; return (cert_path, key_path, ca_path)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kubesphere.core emulator"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "KubeSphere emulator test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=2)).not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    alt_names = []
    for name in names:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    if expired:
        not_before, not_after = now - datetime.timedelta(days=2), now - datetime.timedelta(days=1)
    else:
        not_before, not_after = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=7)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    os.makedirs(directory, exist_ok=True)
    ca_path = os.path.join(directory, CA_FILE)
    cert_path = os.path.join(directory, "server.crt")
    key_path = os.path.join(directory, "server.key")
    _write(ca_path, ca.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), 0o600)
    return cert_path, key_path, ca_path


def server_context(settings):
    """The server's SSLContext for the settings' TLS options; sets settings.tls_ca_path when it made a CA."""
    cert, key = settings.tls_cert, settings.tls_key
    if not cert:
        directory = settings.tls_dir or tempfile.mkdtemp(prefix="ks-emulator-tls-")
        cert, key, settings.tls_ca_path = make_pair(directory, tuple(settings.tls_names or DEFAULT_NAMES),
                                                    settings.tls_expired)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


def _write(path, data, mode):
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tls-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(temporary, mode)
    os.replace(temporary, path)
