"""ClustersHandlers: stub until clustering and feedback (issue 6) lands; its owner replaces this file."""
from rushes.server.handlers._stub import unimplemented


class ClustersHandlers:
    ListClusters = unimplemented("ListClusters: clustering and feedback (issue 6)")
    Recluster = unimplemented("Recluster: clustering and feedback (issue 6)")
    SubmitFeedback = unimplemented("SubmitFeedback: clustering and feedback (issue 6)")
    ExportFeedback = unimplemented("ExportFeedback: clustering and feedback (issue 6)")
