"""Pipeline and deal errors."""

from kindred.core.errors import Conflict, NotFound, ValidationFailed


class DealNotFound(NotFound):
    message = "Deal not found"


class PipelineNotFound(NotFound):
    message = "Pipeline not found"


class DealReferenceGone(NotFound):
    message = "The deal's pipeline, company or owner was deleted meanwhile"


class UnknownStage(ValidationFailed):
    def __init__(self, stage: str) -> None:
        message = f"Unknown stage: {stage}"
        super().__init__(message, details=[{"field": "stage", "message": message}])


class DuplicatePipeline(Conflict):
    code = "DUPLICATE_PIPELINE"
    message = "A pipeline with this name already exists"


class PipelineInUse(Conflict):
    code = "PIPELINE_IN_USE"
    message = "The default pipeline and pipelines holding deals cannot be deleted"
