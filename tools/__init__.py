from . import (
    authentication,
    automatic,
    charset,
    command_block,
    display,
    html_text,
    masking,
    quoting,
    reference,
)
