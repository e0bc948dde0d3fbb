"""Approach sentences the bid writer uses when a notice mentions a familiar keyword.

Keys are lower-case keywords; a keyword without an entry gets the generic sentence.
"""

from __future__ import annotations

APPROACH_BY_KEYWORD: dict[str, str] = {
    "penetration testing": (
        "Penetration testing follows a scoped, CREST-style method: threat-led test plans, "
        "authenticated and unauthenticated testing, and retesting of every fixed finding."
    ),
    "pen testing": (
        "Testing is planned with the service owners, run in agreed windows, and reported with "
        "risk-rated findings and clear remediation steps."
    ),
    "vulnerability assessment": (
        "Vulnerability assessment combines authenticated scanning with manual verification so "
        "that reported issues are real, prioritised and actionable."
    ),
    "soc": (
        "Our SOC service onboards log sources in priority order, tunes detections to the "
        "estate and agrees escalation paths and response times up front."
    ),
    "security operations": (
        "Security operations run on documented playbooks, with monthly service reviews and "
        "measurable detection and response targets."
    ),
    "siem": (
        "The SIEM is configured around the buyer's highest risks first, with use cases mapped "
        "to MITRE ATT&CK and noise reduced before go-live."
    ),
    "incident response": (
        "Incident response is retained and rehearsed: a tested plan, named responders and "
        "tabletop exercises with the buyer's teams."
    ),
    "iso 27001": (
        "ISO 27001 work starts with a gap analysis, then builds the ISMS documents, risk "
        "treatment plan and internal audit needed for certification."
    ),
    "threat intelligence": (
        "Threat intelligence is filtered to the sector and fed into detections and patching "
        "priorities, not delivered as unread reports."
    ),
    "security audit": (
        "The audit is evidence-based, mapped to the agreed control framework, and ends with "
        "a prioritised remediation roadmap."
    ),
    "zero trust": (
        "Zero trust is introduced in increments: identity first, then device posture, then "
        "segmentation of the most sensitive services."
    ),
    "identity and access management": (
        "Identity and access management covers joiner-mover-leaver processes, MFA and "
        "least-privilege roles, rolled out service by service."
    ),
    "machine learning": (
        "Machine learning models are built on a documented data pipeline, validated against "
        "a baseline, and monitored for drift and bias after release."
    ),
    "ai": (
        "AI components are designed for explainability and human oversight, with a data "
        "protection impact assessment before any personal data is used."
    ),
    "artificial intelligence": (
        "AI components are designed for explainability and human oversight, with a data "
        "protection impact assessment before any personal data is used."
    ),
    "predictive analytics": (
        "Predictive analytics start from the decisions the buyer wants to improve and are "
        "measured against those decisions, not just model accuracy."
    ),
    "chatbot": (
        "The chatbot answers from approved content only, hands over to staff when unsure, "
        "and is tested with real users before launch."
    ),
    "natural language processing": (
        "Language processing is evaluated on the buyer's own documents, in every language "
        "the service must support."
    ),
    "data platform": (
        "The data platform is built as code with clear data ownership, lineage and access "
        "controls, so that new sources can be added without rework."
    ),
    "analytics": (
        "Analytics are delivered as maintained, documented data products with agreed "
        "definitions rather than one-off reports."
    ),
    "cloud migration": (
        "Cloud migration proceeds wave by wave after a discovery of dependencies, with "
        "rollback plans and cost controls for every wave."
    ),
    "case management system": (
        "The case management system is designed with caseworkers, delivered in increments and "
        "migrates legacy case data with full reconciliation."
    ),
    "portal": (
        "The portal is designed with its users, meets WCAG 2.2 AA and is released in small, "
        "tested increments."
    ),
    "api": (
        "APIs are designed contract-first, documented with OpenAPI and secured with standard "
        "authentication and rate limits."
    ),
    "devops": (
        "DevOps practices — automated builds, tests and deployments — keep releases small and "
        "reversible."
    ),
    "agile": (
        "We work in two-week sprints with the buyer's product owner, showing working software "
        "at every review."
    ),
    "system integration": (
        "Integrations are built behind tested interfaces with monitoring and replay, so that a "
        "failing system never loses data."
    ),
}
