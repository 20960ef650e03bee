"""The App Store's shared rules (ks-core v4.1 pkg/simple/client/application and the kapis
handlers of pkg/kapis/application/v2): names, packages, the index fetch, the catalog writes and
the Helm executor. Routes and controllers in routes/appstore_*.py and controllers/appstore_*.py
use them; this package is not a feature package, so nothing here registers itself."""
