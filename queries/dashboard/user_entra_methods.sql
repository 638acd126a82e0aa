-- One Entra user's authentication methods (Graph never returns secrets; none are stored).
SELECT kind, phone_type, phone_number, display_name, method_id
FROM entra_methods
WHERE user_id = $entra_id
ORDER BY kind, phone_type, display_name
