"""The seam between the job runner and the analysis rooms: what a step gets (StepContext) and
what it records (stage versions).

It sits below the rooms so a room's step imports it without importing the jobs layer above
(the rooms used to import rushes.jobs, against the layers).
"""
