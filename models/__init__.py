from . import helpdesk_mailgate_log
from . import helpdesk_ticket
from . import helpdesk_ticket_resolution
from . import helpdesk_ticket_team
from . import helpdesk_ticket_workunit
from . import mail_alias
from . import mail_thread
from . import res_config_settings
