"""The Kubernetes-style API (/api and /apis) over the generic store: what
ks-apiserver proxies to kube-apiserver."""
