"""Fixed vocabulary of the synthetic tenant: names, device models, groups and settings.

Scenario users (``scenarios.py``) use names that never occur here, so a random user can never collide
with a hand-made one by accident.
"""

from __future__ import annotations

# fmt: off
FIRST_NAMES = (
    "Ava", "Liam", "Olivia", "Noah", "Emma", "Oliver", "Sophia", "Elijah", "Isabella", "Lucas", "Mia",
    "Mason", "Amelia", "Ethan", "Harper", "Logan", "Evelyn", "James", "Abigail", "Benjamin", "Emily",
    "Jacob", "Ella", "Michael", "Elizabeth", "Daniel", "Camila", "Henry", "Luna", "Jackson", "Sofia",
    "Sebastian", "Avery", "Aiden", "Mila", "Matthew", "Aria", "Samuel", "Scarlett", "David", "Penelope",
    "Joseph", "Layla", "Carter", "Chloe", "Owen", "Victoria", "Wyatt", "Madison", "John", "Eleanor",
    "Jack", "Grace", "Julian", "Nora", "Levi", "Riley", "Isaac", "Zoë", "Gabriel", "Hannah", "Anthony",
    "Léa", "Jonas", "Lena", "Lukas", "Marie", "Finn", "Anna", "Luca", "Emilia", "Matteo", "Giulia", "Hugo",
    "Chloé", "Louis", "Inès", "Raphaël", "Manon", "Arjun", "Priya", "Rohan", "Ananya", "Vikram", "Aditi",
    "Kenji", "Yuki", "Haruto", "Sakura", "Mateo", "Valentina", "Santiago", "Lucía", "Diego", "Sofía",
    "Björn", "Astrid", "Sven", "Ingrid", "Siobhán", "Seán", "Niamh", "Oisín", "Zanele", "Thabo", "Wei",
    "Mei", "Jun", "Xin", "Aleksander", "Zofia", "Jakub", "Agnieszka", "Mohammed", "Fatima", "Omar",
    "Aisha", "Yusuf", "Leila",
)
# fmt: on

# fmt: off
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill",
    "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
    "Roberts", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Dubois", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel", "Rossi", "Russo", "Ferrari",
    "Esposito", "Bianchi", "Romano", "Patel", "Sharma", "Singh", "Kumar", "Gupta", "Reddy", "Sato",
    "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Silva", "Santos", "Oliveira", "Souza", "Pereira",
    "Andersson", "Johansson", "Karlsson", "Nilsson", "O'Brien", "O'Connor", "Murphy", "Kelly", "Byrne",
    "Nkosi", "Dlamini", "Wang", "Li", "Zhang", "Chen", "Kowalski", "Nowak", "Wiśniewski", "Núñez",
    "García-López", "van der Berg", "de Vries", "Jansen", "Bakker",
)
# fmt: on

MFA_USER_GROUPS = {
    "Default": 50,
    "Sales": 12,
    "Engineering": 14,
    "Finance": 6,
    "Contractors": 8,
    "Executives": 2,
    "IT": 8,
}
LANGUAGES = {"en": 70, "de": 8, "fr": 6, "es": 4, "nl": 3, "it": 3, "ja": 2, "pt": 2, "sv": 1, "pl": 1}

IOS_DEVICES = (
    "iPhone",
    "iPhone",
    "iPhone 12",
    "iPhone 13",
    "iPhone 14 Pro",
    "iPhone 15",
    "iPhone SE",
    "iPad",
)
ANDROID_DEVICES = (
    "Pixel 7",
    "Pixel 8 Pro",
    "SM-G991B",
    "SM-S911B",
    "Galaxy A54",
    "moto g54",
    "OnePlus 11",
    "Android",
)
IOS_APP_VERSIONS = ("6.7.12", "6.8.1", "6.8.4", "6.8.9", "6.7.3")
ANDROID_APP_VERSIONS = ("6.2312.7810", "6.2401.0119", "6.2402.0818", "6.2311.7432")

# Values a hand-entered extension takes when it is not just digits (docs/simulate.md: invalid_extension).
BAD_EXTENSIONS = ("12#", "x310", "1,2", "22a", "ext 5", "4-5")
# Phone fields that are not numbers at all, or numbers no numbering plan accepts.
BAD_NUMBERS = ("n/a", "none", "TBD", "000000", "12345", "555-1234", "0", "+999 12345678", "0800 FLOWERS")

OATH_MANUFACTURERS = ("Feitian", "Token2", "Yubico", "Gemalto")

TENANT_NAME = "Contoso"
INITIAL_DOMAIN = "contoso.onmicrosoft.com"
# (domain, NetBIOS name) of the two AD forests whose users MFA Server holds.
FORESTS = (("contoso.com", "CONTOSO"), ("fabrikam.com", "FABRIKAM"))
EXPORTED_AT = "2024-06-30T18:00:00Z"
SNAPSHOT_AT = "2024-06-30T18:30:00Z"
DEFAULT_SELECTION = "phone,backup_phone,mobile_app,oath_token,default_method;always"
OTHER_SELECTIONS = (
    "phone,backup_phone,default_method;always",
    "phone,backup_phone,mobile_app,oath_token;always",
    "phone,backup_phone,mobile_app,oath_token,default_method;if_unset",
)
