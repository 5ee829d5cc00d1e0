"""No known-unsafe crypto library is installed (promise P19).

``gmssl`` (PyPI distribution "gmssl", by duanhongyi, 3.2.2 and every other version) draws
its SM2 signing nonce from ``random.choice`` (Mersenne Twister): whoever sees a few
signatures can predict the nonces and recover the private key. Its name is also easy to
install by mistake instead of ``gmssl-python``. The deny list below is checked against the
installed distributions; a second test proves the check can fail.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterable

import pytest

#: distribution name -> why it is refused
DENY_LIST: dict[str, str] = {
    "gmssl": "SM2 nonces from random.choice (Mersenne Twister), see ADR 0003",
}


def _installed_names() -> Iterable[str]:
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            yield name


def unsafe_distributions(
    names: Callable[[], Iterable[str]] = _installed_names,
) -> list[str]:
    """Installed distributions on the deny list, as ``name version: reason``."""
    found = []
    for name in names():
        normalised = name.lower().replace("_", "-").replace(".", "-")
        if normalised in DENY_LIST:
            version = importlib.metadata.version(name)
            found.append(f"{name} {version}: {DENY_LIST[normalised]}")
    return sorted(found)


def test_no_unsafe_crypto_library_is_installed():
    assert unsafe_distributions() == []


def test_the_gmssl_distribution_is_not_importable_under_its_name():
    # gmssl-python also installs a top-level ``gmssl`` module; only duanhongyi's package
    # ships the ``gmssl`` distribution that this looks for.
    assert "gmssl" not in importlib.metadata.packages_distributions().get("gmssl", [])


@pytest.mark.parametrize("name", ["gmssl", "GmSSL", "GMSSL"])
def test_the_check_fails_when_gmssl_is_installed(monkeypatch, name):
    real_version = importlib.metadata.version

    def fake_version(dist: str) -> str:
        return "3.2.2" if dist == name else real_version(dist)

    monkeypatch.setattr(importlib.metadata, "version", fake_version)
    found = unsafe_distributions(lambda: [*_installed_names(), name])
    assert found == [f"{name} 3.2.2: {DENY_LIST['gmssl']}"]
    with pytest.raises(AssertionError):
        assert found == []


def test_gmssl_python_is_not_mistaken_for_gmssl():
    assert unsafe_distributions(lambda: ["gmssl-python", "gmalg", "tongsuopy"]) == []
