"""Stage 4 of the pipeline, the only part that writes to a tenant.

The wing, in the order a batch goes through it:

* ``batches``, ``options``, ``selection``, ``store``: a batch (users and plan rows frozen under a hash
  that covers the settings and the ``[execute]`` options), its approval and life cycle;
* ``steps``: the pure function from a batch's frozen rows to each user's steps (and undo steps);
* ``kinds``, ``undo``, ``work``: one handler per step kind (request, "already in place" test against
  live state, effect and the ids it yields), on a user's working state;
* ``protocol``, ``journal``: the one journaled-write protocol (intent, send, classify, record, resolve
  by re-reading) and the journal it keeps, the single source of truth of a resumed run;
* ``pipeline``, ``workers``, ``reads``, ``livestate``: carrying steps out for many users at once;
* ``runner``, ``runprep``, ``oath``, ``replan``: ``batch run``; ``explain``: what a run would send;
* ``verify``, ``rollback``, ``rollout``: checking, undoing, and Staged Rollout / the cut-over;
* ``autorun``: the interval loop (``mfa-migrate sync``); ``crashpoints``: the crash tests' kill hook.
"""
