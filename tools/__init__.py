from . import (
    authentication,
    automatic,
    charset,
    command_block,
    html_text,
    masking,
    quoting,
    reference,
)
