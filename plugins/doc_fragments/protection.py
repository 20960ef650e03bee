# -*- coding: utf-8 -*-
# Copyright: kubesphere.core contributors
# Apache License 2.0 (see LICENSE)
"""The one option that lets a task change what KubeSphere or Kubernetes owns."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  allow_protected:
    description:
      - Protected objects are never changed nor deleted by default, and a task that would do so fails before any
        write (C(--check) predicts it), naming the object and why it is protected.
      - Protected are KubeSphere's and Kubernetes' own objects (the user C(admin), C(system-workspace), the
        C(default), C(kube-*) and C(kubesphere-*) namespaces and anything in C(system-workspace), the platform and
        cluster roles KubeSphere installs, every role KubeSphere makes (C(kubesphere.io/creator=system)), each
        workspace's C(<workspace>-admin), C(-regular), C(-self-provisioner) and C(-viewer) roles, each project's
        C(admin), C(operator) and C(viewer) roles, and anything labelled C(kubesphere.io/protected-resource)), the
        host cluster, the user the task logs in as, and objects whose C(app.kubernetes.io/managed-by) label names another tool.
        Members, quotas and limits of a protected workspace or project count as changes of it.
      - V(true) lets this task change or delete such an object anyway, with a warning. Use it rarely, on the one
        task that needs it (changing the C(admin) password, say), never in C(module_defaults). A workspace role
        of another workspace, or a namespace that is not a project, is never taken over, whatever this says.
      - O(kubesphere.core.ks_tenancy#module:prune) never removes a protected object.
    type: bool
    version_added: 0.2.0
    default: false
"""
