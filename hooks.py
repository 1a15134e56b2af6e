# Copyright 2026 helpdesk_mgmt_mailgate contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Upgrades refresh the addon's mail templates an administrator has not edited.

The templates are ``noupdate``: an upgrade must not overwrite the answers an
administrator wrote. But a template nobody edited should get the new shipped
text (a new paragraph, a fixed word). So the addon remembers what it shipped:

* after an install (:func:`post_init_hook`) and after every upgrade (the
  ``end`` step of ``migrations/0.0.0``, after translations are loaded), a
  digest of each template's subject and body in every language is recorded
  (:func:`record_template_digests`);
* the templates' ``ir.model.data`` rows are ``noupdate`` (set after the
  install and after every upgrade's data: :func:`lock_templates`), so Odoo's
  loader leaves them alone; their data file is not ``noupdate``, which would
  skip them whatever their rows say;
* before the data of an upgrade is loaded (``pre`` step of
  ``migrations/0.0.0``), each template whose digest is still the recorded one
  is unedited: its ``noupdate`` is lifted, so the loader writes the new
  shipped values (:func:`unlock_unedited_templates`).

A database installed before digests were recorded (up to 18.0.1.2.0) has
none: there a template never written since it was created is unedited.

Plain SQL on the cursor: migration steps run before this version's models are
loaded.
"""

import hashlib
import json

MODULE = "helpdesk_mgmt_mailgate"
DIGESTS_PARAMETER = "helpdesk_mgmt_mailgate.template_digests"
UNLOCKED_PARAMETER = "helpdesk_mgmt_mailgate.templates_unlocked"


def post_init_hook(env):
    lock_templates(env.cr)
    record_template_digests(env.cr)


def uninstall_hook(env):
    """Drop the table of mails being processed (helpdesk.mailgate.log's
    ``STARTS_TABLE``), which no model owns."""
    env.cr.execute("DROP TABLE IF EXISTS helpdesk_mailgate_log_start")


def _templates(cr):
    """``{xml id name: (template id, digest, never written)}`` of the
    addon's mail templates."""
    cr.execute(
        """SELECT data.name, template.id, template.subject, template.body_html,
                  template.write_date = template.create_date
             FROM ir_model_data data
             JOIN mail_template template ON template.id = data.res_id
            WHERE data.module = %s AND data.model = 'mail.template'""",
        (MODULE,),
    )
    return {
        name: (template_id, _digest(subject, body), never_written)
        for name, template_id, subject, body, never_written in cr.fetchall()
    }


def _digest(*values):
    text = json.dumps(values, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _get_parameter(cr, key):
    cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (key,))
    row = cr.fetchone()
    return json.loads(row[0]) if row else None


def _set_parameter(cr, key, value):
    cr.execute(
        """INSERT INTO ir_config_parameter
                  (key, value, create_uid, write_uid, create_date, write_date)
           VALUES (%s, %s, 1, 1, now() at time zone 'UTC', now() at time zone 'UTC')
           ON CONFLICT (key) DO UPDATE
              SET value = EXCLUDED.value, write_date = EXCLUDED.write_date""",
        (key, json.dumps(value, sort_keys=True)),
    )


def record_template_digests(cr):
    """Remember each template's digest as the addon shipped (or refreshed)
    it. An edited template keeps the digest recorded before: it stays
    edited for every later upgrade."""
    recorded = _get_parameter(cr, DIGESTS_PARAMETER) or {}
    unlocked = set(_get_parameter(cr, UNLOCKED_PARAMETER) or ())
    for name, (__, digest, __) in _templates(cr).items():
        if name not in recorded or name in unlocked:
            recorded[name] = digest
    _set_parameter(cr, DIGESTS_PARAMETER, recorded)
    _set_parameter(cr, UNLOCKED_PARAMETER, [])


def unlock_unedited_templates(cr):
    """Lift ``noupdate`` of the templates nobody edited since the addon
    wrote them, so this upgrade's loader writes the new shipped values.

    :return: the xml id names unlocked
    """
    recorded = _get_parameter(cr, DIGESTS_PARAMETER)
    templates = _templates(cr)
    unlocked = [
        name
        for name, (__, digest, never_written) in templates.items()
        if (recorded.get(name) == digest if recorded is not None else never_written)
    ]
    if recorded is None:
        # Up to 18.0.1.2.0 nothing was recorded: an edited template is marked
        # so, never to be taken for the addon's own text later.
        _set_parameter(
            cr,
            DIGESTS_PARAMETER,
            {name: None for name in templates if name not in unlocked},
        )
    if unlocked:
        cr.execute(
            """UPDATE ir_model_data SET noupdate = FALSE
                WHERE module = %s AND model = 'mail.template' AND name = ANY(%s)""",
            (MODULE, unlocked),
        )
    _set_parameter(cr, UNLOCKED_PARAMETER, unlocked)
    return unlocked


def lock_templates(cr):
    """Put ``noupdate`` back on every template of the addon."""
    cr.execute(
        """UPDATE ir_model_data SET noupdate = TRUE
            WHERE module = %s AND model = 'mail.template'""",
        (MODULE,),
    )
