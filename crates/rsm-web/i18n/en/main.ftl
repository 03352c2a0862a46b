# RSM pages — English (the reference catalogue: every key lives here).

app-name = RSM
skip-to-content = Skip to content
footer = Northeast Asia regional security mechanism
times-shown-in = Times are shown in { $zone }
language = Language
language-change = Change
nav-label = Main
nav-dashboard = Dashboard
nav-parties = Parties
nav-bodies = Bodies
nav-tokens = My tokens
nav-people = People
nav-audit = Audit trail
sign-in = Sign in
sign-out = Sign out
signed-in-as = Signed in as { $name }
yes = Yes
save = Save
cancel = Cancel
always = Always
never = Never
today = Today
since = since { $date }
filter = Filter
filter-clear = Clear
pager = Pages
newest = Newest
older = Older
legend = Legend

# Sign-in
signin-intro = Sign in with the account the secretariat gave you.
signin-wrong = The user name or password is not right.
signin-throttled = Too many failed attempts. Wait a few minutes, then try again.
signin-expired = The sign-in form had expired. Please try again.
field-username = User name
field-password = Password

# Welcome (signed out)
welcome-title = Regional Security Mechanism
welcome-text = The platform of the Northeast Asia regional security mechanism. Sign in to see your bodies and what concerns you.

# Dashboard
dash-today = Today is { $date } (UTC).
dash-my-bodies = My bodies
dash-no-bodies = No body lists you as a member yet.
dash-due = Due soon
dash-nothing-due = Nothing is due. Deadlines of notifications and silence procedures will appear here.
dash-parties = Participation of the parties
dash-recent = Recent
dash-no-recent = Nothing recent yet.
recent-revision = { $body }: revision { $revision } ({ $reason })
recent-mine = You: { $action }
chair-is = chair { $party }

# Statuses, kinds, roles, scopes
status-participating = Participating
status-invited = Invited
status-suspended = Suspended
status-withdrawn = Withdrawn
kind-ministerial-council = Ministerial council
kind-working-group-security = Working group (security)
kind-working-group-economic = Working group (economic)
kind-working-group-humanitarian = Working group (humanitarian)
kind-talks = Talks
visibility-public = Public
visibility-restricted = Restricted
role-secretariat-admin = Secretariat administrator
role-secretariat-officer = Secretariat officer
role-delegate = Delegate
role-auditor = Auditor
role-focal-point = Humanitarian focal point
role-working-group-member = Working group member
scope-read = Read
scope-write = Write

# Actions in "recent"
action-session-sign-in = signed in
action-session-sign-out = signed out
action-participation-seed = seeded the participation timeline
action-body-read = read a restricted body
action-body-list = listed bodies
action-body-create = created a body
action-body-update = edited a body
action-participation-set = recorded a participation change
action-account-create = created an account
action-account-preferences = changed preferences
action-account-password = changed the password
action-account-disable = disabled an account
action-account-enable = enabled an account
action-token-create = created an API token
action-token-revoke = revoked an API token

# Parties
party-cn = China
party-jp = Japan
party-kp = DPR Korea
party-kr = Republic of Korea
party-ru = Russian Federation
party-us = United States
col-party = Party
col-status = Status
col-since = Since
col-basis = Basis
col-effective = Effective
col-recorded = Recorded
party-history = Participation history
party-no-history = No change recorded; the party counts as invited.
party-record-change = Record a change of participation
party-record-hint = A change takes effect today or later and never rewrites a past answer.
party-record-submit = Record the change
timeline-label = Participation over time
hint-effective = The first day of the new status, as YYYY-MM-DD.

# Bodies
col-body = Body
col-kind = Kind
col-visibility = Visibility
col-members = Members
col-chair = Chair
col-active = Active
col-when = When
col-by = By
col-reason = Reason
members-all = Every participating party
bodies-empty = There are no bodies you can see.
body-new = New body
body-create = Create the body
body-edit = Edit the body
body-inactive = Inactive
body-must-agree = Must agree today
body-active-while = active while { $party } participates
body-rotation = Chair rotation
body-no-rotation = No chair rotation is set.
body-revisions = Revisions
field-body-id = Identifier
hint-body-id = 2–40 characters: a–z, 0–9 and '-', starting with a letter. It cannot be changed later.
field-name = Name
hint-members = Or tick the member parties below (a restricted body needs them).
hint-rotation = Party codes in order, separated by commas.
field-rotation-start = Rotation starts in
field-active-while = Active
hint-reason = The decision or act behind the change.
form-has-errors = Please correct the fields marked below.
form-conflict = Someone changed this in the meantime, or it already exists. Reload and try again.

# People
field-display-name = Display name
field-role = Role
field-wg-body = Working group (for its members)
field-time-zone = Time zone
hint-password = At least 12 characters. Leave empty for an account that only uses API tokens.
col-state = State
col-actions = Actions
account-active = Active
account-disabled = Disabled
account-disable = Disable
account-enable = Enable
account-disable-who = Disable { $name }
account-enable-who = Enable { $name }
account-new = New account
account-create = Create the account

# Tokens
tokens-intro = API tokens let scripts and national mirrors use the API as you. Each is shown only once.
tokens-empty = You have no API tokens.
token-new = New token
token-create = Create the token
token-created = Your new token:
token-shown-once = Copy it now: it is stored only as a digest and cannot be shown again.
token-revoke = Revoke
token-revoke-which = Revoke { $name }
token-revoked = Revoked
field-token-name = Name
field-scope = Scope
field-expires-days = Expires in (days)
hint-expires = 1–3650; leave empty for a token that does not expire.
col-created = Created
col-expires = Expires
col-last-used = Last used

# Audit
audit-filter = Filter the audit trail
audit-empty = No event matches.
col-actor = Actor
col-action = Action
col-target = Target
col-source = From
col-detail = Detail

# Preferences
me-title = My preferences
hint-time-zone = An IANA time zone such as Asia/Seoul. Times are shown in it.

# Flash messages
flash-signed-out = You have signed out.
flash-saved = Saved.
flash-participation-recorded = The change of participation is recorded.
flash-body-created = The body is created.
flash-body-saved = The body is saved as a new revision.
flash-account-created = The account is created.
flash-account-disabled = The account is disabled and its sessions ended.
flash-account-enabled = The account is enabled.
flash-token-revoked = The token is revoked.

# Errors
error-404-title = Page not found
error-404-text = There is nothing here, or you may not see it.
error-403-title = Not allowed
error-403-text = Your role does not allow this.
error-csrf-text = This form had expired. Go back, reload the page and try again.
error-401-title = Sign in first
error-401-text = Sign in to see this page.
error-429-title = Too many attempts
error-500-title = Something went wrong
error-500-text = This is our fault. If it happens again, tell the secretariat and quote the reference below.
error-422-title = The request is not valid
error-409-title = Conflict
error-409-text = Someone changed this in the meantime. Reload and try again.
error-400-title = Bad request
error-400-text = The request could not be read.
error-reference = Reference:
error-home = Go to the dashboard

# Validation rules of the API, in words
rule-basis = Name the decision or act that made the change.
rule-retroactive = The effective date is before today: a change may not rewrite past answers.
rule-out-of-order = The effective date is before the party's previous change.
rule-unchanged = The party already has this status on that date.
rule-date = Enter a date as YYYY-MM-DD between 1945-01-01 and 2200-12-31.
rule-status = Choose participating, invited, suspended or withdrawn.
rule-party = Not a party code: use CN, JP, KP, KR, RU or US.
rule-reason = Name the decision or act behind the change.
rule-year = Enter a year between 1945 and 2200.
rule-visibility = Choose public or restricted.
rule-kind = Choose a kind of body.
rule-name-empty = Enter a name.
rule-name-long = The name is longer than 200 characters.
rule-restricted-members = A restricted body needs its member parties ticked.
rule-no-members = Tick at least one member party.
rule-chair-not-member = The rotation names a party that is not a member.
rule-chair-twice = The rotation names a party twice.
rule-body-id = Use 2–40 characters a–z, 0–9 and '-', starting with a letter.
rule-password-short = The password must be at least 12 characters.
rule-username = Use 3–64 characters of a–z, 0–9, '.', '_' and '-'.
rule-display-name = Enter 1–200 characters.
rule-token-name = Enter 1–100 characters.
rule-scope = Choose read or write.
rule-expiry = Enter a number of days between 1 and 3650.
rule-time-zone = Enter an IANA time zone such as Asia/Seoul.
rule-exists = This identifier is already taken.

# Notifications (CSBM regime)
nav-notifications = Notifications
nav-compliance = Compliance
notif-new = New notification
notif-filters = Filter notifications
notif-all = All
notif-type = Type
notif-basket = Basket
notif-filter = Filter
notif-view-list = List
notif-view-month = Month
notif-none = No notification matches.
notif-date = Activity date
notif-summary = Summary
notif-received = Received
notif-log-index = Log index
notif-status = Status
notif-content = Content
notif-acks = Acknowledgements
notif-no-acks = No acknowledgement yet.
notif-not-acked = Not yet acknowledged by:
notif-key-file = Your party's key file
notif-key-hint = The file RSM-PARTY-KEY from rsm keygen. It is read in this browser only and never sent.
notif-acknowledge = Acknowledge receipt
notif-receipt = Log receipt
notif-commitment = Commitment in the log:
notif-no-receipt = No checkpoint covers this entry yet.
notif-choose = Choose
notif-deadline = Deadline
notif-required = required
notif-start = Start
notif-end = End
notif-time = Time
notif-zone = Time zone
notif-centre = Centre (longitude, latitude)
notif-radius = Radius (km)
notif-polygon = Or a polygon: longitude latitude; …
notif-sign-submit = Sign and submit
notif-valid = The content meets the regime.
notif-invalid = These fields do not meet the regime:
basket-security = Security
basket-economic = Economic
basket-humanitarian = Humanitarian
day-mon = Mon
day-tue = Tue
day-wed = Wed
day-thu = Thu
day-fri = Fri
day-sat = Sat
day-sun = Sun
compliance-on_time = On time
compliance-late = Late
compliance-missing = Missing
compliance-pending = Pending
compliance-notified_at_start = Notified at start
compliance-amended_late = Amended late
compliance-voluntary = Voluntary
compliance-cancelled = Cancelled
compliance-as-of = Computed when read, as of { $when }.
compliance-csv = Download CSV
compliance-json = Download JSON
compliance-chart = Obligations per party
compliance-none = No obligation in this year.
compliance-rows = Per party and type
compliance-subject = Subject
compliance-due = Due
compliance-delay = Delay
compliance-patterns = Patterns near thresholds
compliance-consultations = Requests for clarification
compliance-missing-acks = Missing acknowledgements
notif-map = Map of notified areas
notif-map-source = Coastlines: Natural Earth (public domain), 1:50m, via world-atlas.
notif-map-outside = outside the map
notif-view-map = Map
