"""Whether a sentence of a tender document asks something of the supplier.

Left out: what the buyer says of itself ("the Authority will evaluate…", "the Council may…",
"… may be reused by the Council"), definitions ("'Supplier' shall mean…"), how the document
words its requirements ("requirements marked 'mandatory'…", "M = Mandatory") and instructions
about the procurement itself (questions through the portal, tenders due by, late tenders,
scores, conflicts of interest, confidentiality of the tender). The decision is taken on the
whole sentence, so the parts of "the Trust is required to … and must ensure …" go together.
"""

from __future__ import annotations

import re

# The buyer speaking of itself: not an obligation of the supplier.
_BUYER_SUBJECT = re.compile(
    r"^(?:the\s+)?(?:authority|council|buyer|contracting (?:authority|entity)|customer|"
    r"department|trust|municipality|county|agency|ministry|board|purchaser|we|city|state|"
    r"college|university|school|district|office|regulator|commission|government|hospital|nhs|"
    r"our evaluation panel|panel|evaluators?|evaluation (?:panel|group|committee)|"
    r"contract|framework|procurement|this procurement|this specification|"
    r"intention|service commencement)\b",
    re.IGNORECASE,
)
# Not asked of the supplier: what a term means, how the document marks its requirements, and
# instructions about the procurement (how and when to ask, submit, and what is scored).
_NOT_ASKED = re.compile(
    r"\b(?:shall|will)\s+(?:mean|have the meaning)|\bmeans\b|\bis defined as\b"
    r"|[“\"‘'][^”\"’']{0,40}\b(?:shall|must|should|could|may|will|mandatory|desirable|optional"
    r"|essential|required|would be an advantage|expected to|has to|wish|preferably)\b"
    r"[^”\"’']{0,40}[”\"’']"
    r"|\b(?:an?|the) (?:mandatory|optional|minimum|desirable) requirements?\s*\.?$"
    r"|\bare (?:not )?(?:mandatory|optional|desirable)\b|\bare worded\b"
    r"|^[A-Z]\s*=\s*|^(?:the\s+|these\s+|all\s+|any\s+)?(?:following\s+)?requirements\b"
    r"|\b(?:should|must|are asked to|are advised to)\s+(?:note|be aware|bear in mind)\b"
    r"|\b(?:through|via|on|to|using) the (?:[\w’'-]+\s){0,3}portal\b"
    r"|\b(?:e-?tender(?:ing)?|tender(?:ing)?|procurement|e-?sourcing)\s+(?:platform|portal|system)\b"
    r"|\bmay be (?:requested|required|asked|sought|checked|verified|invited)\b"
    r"|\bfreedom of information\b|\bsite visits?\b"
    r"|\bno later than\b|\blate (?:tenders?|bids?|submissions?)\b"
    r"|\bwill be (?:rejected|excluded|disqualified)\b|\bnot be (?:accepted|considered|evaluated)\b"
    r"|\bscor(?:e|es|ed|ing)\b|\b(?:in|with|of|from) (?:the|its|their|your|a|this) "
    r"(?:tender|bid|submission)\b|\bmust (?:submit|upload|return)\b"
    r"|\bmay be \w+ed by the (?:council|authority|trust|buyer|municipality|customer)\b"
    r"|\bmust be (?:submitted|uploaded|received|lodged|returned|sent|emailed)\b"
    r"|\bmark\b[^.]{0,40}\b(?:confidential|trade secrets?|commercially sensitive|proprietary)"
    r"|\bconflicts? of interest\b|\bfinancial interest\b"
    r"|\bshould be read\b|\bread (?:together|in conjunction) with\b"
    r"|\b(?:tenderers?|bidders?|offerors?|respondents?|applicants?)\s+(?:must|shall|should|are "
    r"required to)\s+(?:confirm|complete|submit|upload|sign|return|declare)\b"
    r"|\bnot exceed (?:[\d,]+|\w+) (?:A4 )?(?:pages|words|sides)\b"
    r"|\bpage limit\b|\bword (?:limit|count)\b"
    r"|\b(?:may|will) be awarded\b",
    re.IGNORECASE,
)
# The subject of a sentence about the procurement, not the work: tenders, questions, this
# document.
_PROCESS_SUBJECT = re.compile(
    r"^(?:all |any |completed |late |each |the |a |your |this |these )*"
    r"(?:(?:bidder|tenderer|supplier|offeror|respondent)s?’?'?s?\s+)?(?:tenders?|bids?|"
    r"submissions?|responses?|questions?|clarifications?(?: questions)?|documents?|"
    r"information|proposals?|offers?|requests?|presentations?|interviews?|demonstrations?|"
    r"quer(?:y|ies)|enquir(?:y|ies)|details|evidence|copies|case studies|"
    r"site visits?|meetings?)\b(?!\s+(?:system|portal|management))",
    re.IGNORECASE,
)


def asked(sentence: str) -> bool:
    """Whether the sentence asks something of the supplier (decided on the whole sentence, so
    the parts of "the Trust is required to … and must ensure …" go together)."""
    text = sentence.strip(" ;")
    return not (
        _BUYER_SUBJECT.match(text) or _PROCESS_SUBJECT.match(text) or _NOT_ASKED.search(text)
    )
