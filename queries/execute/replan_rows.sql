-- The re-planned rows per user, as a JSON array (stored in batch_users.replan).
SELECT user_id,
       to_json(list({'item': item, 'ref': ref, 'action': action, 'value': value, 'reason': reason}
                    ORDER BY item, ref))::VARCHAR
FROM plan_replan GROUP BY user_id
