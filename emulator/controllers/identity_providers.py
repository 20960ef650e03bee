"""ks-apiserver's identity-provider informer: rebuilds a provider whenever its Secret changes
and forgets it when the Secret is gone (see iam/identity_providers.py)."""

from ..iam.identity_providers import (NAMESPACE, BadConfiguration, configuration_of, is_provider_secret,
                                      live_providers)
from ..kinds.core import SECRET
from .runtime import controller


@controller("", "secrets")
def reconcile_identity_provider(ctx, ref):
    if ref.namespace != NAMESPACE:
        return None
    providers = live_providers(ctx.app)
    secret = ctx.api.view(ref.cluster).get(SECRET, ref.name, ref.namespace)
    if secret is None:
        providers.deleted(ref.name)
        return None
    if not is_provider_secret(secret):
        return None
    try:
        providers.changed(ref.name, configuration_of(secret))
    except BadConfiguration:
        pass            # logged and skipped by ks-apiserver; the previous version stays
    return None
