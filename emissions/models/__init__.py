"""Emissions models, one module per area so that each stays readable."""

from emissions.models.activities import (
    ActivityEntry,
    ActivityType,
    DataQuality,
    FactorSource,
)
from emissions.models.audit import Finding, FindingStatus
from emissions.models.evidence import EvidenceDocument, EvidenceKind
from emissions.models.factors import (
    EmissionFactor,
    FactorOverride,
    FactorPreference,
    FactorSet,
    FactorSetKind,
    GasBasis,
    MethodologyChange,
    MethodologyChangeKind,
)
from emissions.models.imports import ImportBatch, ImportStatus
from emissions.models.instruments import (
    BaseYearRecalculation,
    CarbonCredit,
    ContractualInstrument,
    InstrumentKind,
    Metric,
    MetricKind,
    RecalculationReason,
    Target,
)
from emissions.models.years import ReportingYear, YearStatus

__all__ = [
    "ActivityEntry",
    "ActivityType",
    "BaseYearRecalculation",
    "CarbonCredit",
    "ContractualInstrument",
    "DataQuality",
    "EmissionFactor",
    "EvidenceDocument",
    "EvidenceKind",
    "FactorOverride",
    "FactorPreference",
    "FactorSet",
    "FactorSetKind",
    "FactorSource",
    "Finding",
    "FindingStatus",
    "GasBasis",
    "ImportBatch",
    "ImportStatus",
    "InstrumentKind",
    "Metric",
    "MethodologyChange",
    "MethodologyChangeKind",
    "MetricKind",
    "RecalculationReason",
    "ReportingYear",
    "Target",
    "YearStatus",
]
