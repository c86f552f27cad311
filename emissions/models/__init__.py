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
    DEFAULT_RESIDUAL_MIX,
    UNCHECKED,
    EmissionFactor,
    FactorCheck,
    FactorOverride,
    FactorPreference,
    FactorSet,
    FactorSetKind,
    GasBasis,
    GasesCovered,
    MethodologyChange,
    MethodologyChangeKind,
    ResidualMix,
    ResidualMixChoice,
    default_residual_mix,
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
    "DEFAULT_RESIDUAL_MIX",
    "UNCHECKED",
    "ActivityEntry",
    "ActivityType",
    "BaseYearRecalculation",
    "CarbonCredit",
    "ContractualInstrument",
    "DataQuality",
    "EmissionFactor",
    "EvidenceDocument",
    "EvidenceKind",
    "FactorCheck",
    "FactorOverride",
    "FactorPreference",
    "FactorSet",
    "FactorSetKind",
    "FactorSource",
    "Finding",
    "FindingStatus",
    "GasBasis",
    "GasesCovered",
    "ImportBatch",
    "ImportStatus",
    "InstrumentKind",
    "Metric",
    "MethodologyChange",
    "MethodologyChangeKind",
    "MetricKind",
    "RecalculationReason",
    "ReportingYear",
    "ResidualMix",
    "ResidualMixChoice",
    "Target",
    "YearStatus",
    "default_residual_mix",
]
