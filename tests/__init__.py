from . import test_unit_command_block
from . import test_unit_html_text
from . import test_unit_masking
from . import test_unit_quoting
from . import test_unit_reference_automatic
from . import test_mail_queue
from . import test_follow_up
from . import test_client_samples
