"""The performance benchmark (``python -m bench``; see README.md).

Modules, one job each: ``scenarios`` (the mails users send), ``databases``
(the two databases and their common set-up), ``measure`` (the workers that
time mail through the gateway, alternately), ``report`` (the targets and the
Markdown report) and ``run`` (the command line). Not part of the addon: Odoo
never imports this folder.
"""
