"""Automations: document 000 workflows and document 002 automation rules over one engine.

An event (`kindred.core.events`) reaches the `automations` consumer, which starts one run per
matching active workflow (unique per (workflow, event)); the `automations.advance_run` task
executes the run's steps in order, pausing at WAIT (a delayed job resumes it from the next
step) and handing WEBHOOK deliveries to their own retried job. Events caused by a run's steps
remember the run's depth, so a workflow that triggers itself stops at `MAX_DEPTH`.
"""
