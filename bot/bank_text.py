"""A bank report (quiz.bank) as organisers read it, on the command line and on the dashboard alike."""
from __future__ import annotations

from bot.i18n import Translator
from quiz.bank import BankReport, Finding
from quiz.conversation.messages import Msg

GROUPS = {"lengths": ("length_bias", "longest_key"), "giveaways": ("giveaway", "giveaway_explained"),
          "duplicates": ("near_duplicate",), "levels": ("uneven_difficulty",), "documents": ("newer_document",)}


def header(report: BankReport, set_name: str) -> Msg:
    return Msg("bank.header", set=set_name, questions=report.questions, easy=report.levels.get("easy", 0),
               medium=report.levels.get("medium", 0), hard=report.levels.get("hard", 0),
               longest=round(100 * report.longest), chance=round(100 * report.chance))


def counts(report: BankReport) -> Msg:
    """How many findings of each kind; questions carrying the length bias count once, under it."""
    if not report.findings:
        return Msg("bank.none")
    per = {group: sum(report.count(code) for code in codes if code != "length_bias") for group, codes in GROUPS.items()}
    return Msg("bank.count", count=sum(per.values()), **per)


def lines(report: BankReport, t: Translator, locale: str = "vi") -> list[tuple[str, str]]:
    """(the questions a finding names, what it says) for each finding, in the report's order."""
    return [(", ".join(f.questions), t.text(_msg(f), locale)) for f in report.findings]


def _msg(f: Finding) -> Msg:
    return Msg(f.message_id, **f.params)
