"""The subtitle clipper: from a transcript, the moments that carry a topic or answer a question.

`units` cuts the stored words into sentences (a turn ends at a long pause too) and joins them
into candidate windows that start and end on sentence bounds; `rank` scores the windows offline
with the MiniLM text embedder (similarity to a topic, or, without one, a question followed by
its answer, one subject, words per second) and keeps the best that do not overlap; `llm` asks an
OpenAI-compatible endpoint to pick sentence ranges instead and maps its answer back through the
stored word times. Clips come out in the highlights' shape (`types.Clip`).
"""
