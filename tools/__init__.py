from . import (
    authentication,
    automatic,
    command_block,
    html_text,
    masking,
    quoting,
    reference,
)
