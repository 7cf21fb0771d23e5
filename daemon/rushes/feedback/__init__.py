"""Editor feedback (issue 6): move, merge, split, name, confirm, export.

`actions.submit` stores each decision durably in the catalog (feedback row, pins, links,
updated membership) and appends its training pairs to the JSONL log; `log.export` writes
the pairs of a project out for metric learning. The clustering engine reads both back: pins and
links always hold, and the pairs train the project's metric.
"""
from rushes.feedback.actions import ACTIONS, submit
from rushes.feedback.log import append_pairs, export

__all__ = ["ACTIONS", "submit", "append_pairs", "export"]
