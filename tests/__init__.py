from . import test_mail_queue
