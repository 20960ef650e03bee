"""Non-Kubernetes routes (kapis, oauth, version, health). Every module in this
package is imported at start; see router.kapi for how to add a route."""
