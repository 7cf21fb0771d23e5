"""ModelsHandlers: stub until the model registry (issue 5) lands; its owner replaces this file."""
from rushes.server.handlers._stub import unimplemented


class ModelsHandlers:
    ListModels = unimplemented("ListModels: the model registry (issue 5)")
    VerifyModels = unimplemented("VerifyModels: the model registry (issue 5)")
    ImportModel = unimplemented("ImportModel: the model registry (issue 5)")
