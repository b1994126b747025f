"""What others may see of a participant (Decree 13/2023/NĐ-CP): names shortened, phones masked."""
from __future__ import annotations


def public_name(full_name: str) -> str:
    """A name as others may see it, the same way for every name: the given name (the last word) and the
    initials of the others: "Nguyễn Văn An" → "N. V. An", "Lê Hoa" → "L. Hoa", "John Smith" → "J. Smith"."""
    words = full_name.split()
    return " ".join([*(w[0] + "." for w in words[:-1]), *words[-1:]])


def mask_phone(phone: str | None) -> str:
    """A phone number with its middle hidden: "0912345678" → "09xx xxx 678"."""
    if not phone:
        return ""
    if len(phone) < 6:
        return "x" * len(phone)
    hidden = "x" * (len(phone) - 5)
    return f"{phone[:2]}{hidden[:2]} {hidden[2:]} {phone[-3:]}".replace("  ", " ")


def shown_phone(phone: str | None, *, show_phone: bool) -> str:
    """The phone as a reader may see it: whole for admins, masked for everyone else."""
    return (phone or "") if show_phone else mask_phone(phone)
