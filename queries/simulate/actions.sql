-- Stage 0: the plan's vocabulary as a temp table: every (item, action) with who can carry it out
-- (`writable`) and the base sentence of its reason. Defined once, in analysis/simulate/actions.py, and
-- passed here as one list per column (DuckDB zips the unnests).
CREATE OR REPLACE TEMP TABLE sim_actions AS
SELECT unnest($item::VARCHAR[])     AS item,
       unnest($action::VARCHAR[])   AS action,
       unnest($writable::VARCHAR[]) AS writable,
       unnest($reason::VARCHAR[])   AS reason;
