from . import helpdesk_mailgate_log
from . import helpdesk_ticket
from . import helpdesk_ticket_team
from . import mail_alias
from . import mail_thread
