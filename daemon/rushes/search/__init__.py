"""Search everything from one box: words said and written, slates, people by name, pictures.

`query` parses the query language, `channels` turns it into ranked candidate ranges per channel
(speech, text, meaning, visual, people, slate), `fusion` merges them by rank, `engine` applies
the filters and returns typed hits. The room reads other rooms' results only through the
catalog (`rushes.catalog.texts`, shots, face tracks, clusters) and the vector store.
"""
