# RSM 화면 — 한국어 (완전한 번역: 영어 카탈로그의 모든 키가 있습니다).

app-name = RSM
skip-to-content = 본문으로 건너뛰기
footer = 동북아 지역안보 메커니즘
times-shown-in = 시각은 { $zone } 기준으로 표시됩니다
language = 언어
language-change = 변경
nav-label = 주 메뉴
nav-dashboard = 대시보드
nav-parties = 당사국
nav-bodies = 기구
nav-tokens = 내 토큰
nav-people = 사용자
nav-audit = 감사 기록
sign-in = 로그인
sign-out = 로그아웃
signed-in-as = { $name }(으)로 로그인됨
yes = 예
save = 저장
cancel = 취소
always = 항상
never = 없음
today = 오늘
since = { $date }부터
filter = 필터
filter-clear = 초기화
pager = 페이지
newest = 최신
older = 이전
legend = 범례

# 로그인
signin-intro = 사무국이 발급한 계정으로 로그인하십시오.
signin-wrong = 사용자 이름 또는 비밀번호가 올바르지 않습니다.
signin-throttled = 실패한 시도가 너무 많습니다. 몇 분 후에 다시 시도하십시오.
signin-expired = 로그인 양식이 만료되었습니다. 다시 시도하십시오.
field-username = 사용자 이름
field-password = 비밀번호

# 환영 (로그아웃 상태)
welcome-title = 지역안보 메커니즘
welcome-text = 동북아 지역안보 메커니즘의 플랫폼입니다. 로그인하면 소속 기구와 관련 업무를 볼 수 있습니다.

# 대시보드
dash-today = 오늘은 { $date }(UTC)입니다.
dash-my-bodies = 내 기구
dash-no-bodies = 아직 회원으로 등재된 기구가 없습니다.
dash-due = 마감 임박
dash-nothing-due = 마감이 임박한 항목이 없습니다. 통보 및 침묵 절차의 기한이 여기에 표시됩니다.
dash-parties = 당사국 참여 현황
dash-recent = 최근 활동
dash-no-recent = 아직 최근 활동이 없습니다.
recent-revision = { $body }: 개정 { $revision } ({ $reason })
recent-mine = 나: { $action }
chair-is = 의장 { $party }

# 상태, 종류, 역할, 범위
status-participating = 참여
status-invited = 초청
status-suspended = 정지
status-withdrawn = 탈퇴
kind-ministerial-council = 각료이사회
kind-working-group-security = 실무그룹(안보)
kind-working-group-economic = 실무그룹(경제)
kind-working-group-humanitarian = 실무그룹(인도)
kind-talks = 회담
visibility-public = 공개
visibility-restricted = 제한
role-secretariat-admin = 사무국 관리자
role-secretariat-officer = 사무국 직원
role-delegate = 대표
role-auditor = 감사관
role-focal-point = 인도적 연락창구
role-working-group-member = 실무그룹 위원
scope-read = 읽기
scope-write = 쓰기

# "최근 활동"의 행위
action-session-sign-in = 로그인함
action-session-sign-out = 로그아웃함
action-participation-seed = 참여 일정을 초기화함
action-body-read = 제한 기구를 열람함
action-body-list = 기구 목록을 열람함
action-body-create = 기구를 만듦
action-body-update = 기구를 수정함
action-participation-set = 참여 변경을 기록함
action-account-create = 계정을 만듦
action-account-preferences = 환경설정을 변경함
action-account-password = 비밀번호를 변경함
action-account-disable = 계정을 비활성화함
action-account-enable = 계정을 활성화함
action-token-create = API 토큰을 만듦
action-token-revoke = API 토큰을 폐기함

# 당사국
party-cn = 중국
party-jp = 일본
party-kp = 조선민주주의인민공화국
party-kr = 대한민국
party-ru = 러시아 연방
party-us = 미국
col-party = 당사국
col-status = 상태
col-since = 시작일
col-basis = 근거
col-effective = 발효일
col-recorded = 기록일
party-history = 참여 이력
party-no-history = 기록된 변경이 없습니다. 이 당사국은 초청 상태로 간주됩니다.
party-record-change = 참여 변경 기록
party-record-hint = 변경은 오늘 이후에 발효되며 과거의 답을 바꾸지 않습니다.
party-record-submit = 변경 기록
timeline-label = 시간에 따른 참여
hint-effective = 새 상태의 첫날 (YYYY-MM-DD 형식).

# 기구
col-body = 기구
col-kind = 종류
col-visibility = 공개 범위
col-members = 회원
col-chair = 의장
col-active = 활동
col-when = 시각
col-by = 작성자
col-reason = 사유
members-all = 참여 중인 모든 당사국
bodies-empty = 볼 수 있는 기구가 없습니다.
body-new = 새 기구
body-create = 기구 만들기
body-edit = 기구 수정
body-inactive = 비활동
body-must-agree = 오늘 합의가 필요한 당사국
body-active-while = { $party }이(가) 참여하는 동안 활동
body-rotation = 의장 순번
body-no-rotation = 의장 순번이 정해지지 않았습니다.
body-revisions = 개정 이력
field-body-id = 식별자
hint-body-id = 2–40자: a–z, 0–9, '-'. 문자로 시작. 나중에 바꿀 수 없습니다.
field-name = 이름
hint-members = 또는 아래에서 회원 당사국을 선택하십시오(제한 기구는 필수).
hint-rotation = 당사국 코드를 순서대로 쉼표로 구분하여 입력.
field-rotation-start = 순번 시작 연도
field-active-while = 활동
hint-reason = 변경의 근거가 된 결정 또는 행위.
form-has-errors = 아래 표시된 항목을 고쳐 주십시오.
form-conflict = 그 사이에 다른 사람이 변경했거나 이미 존재합니다. 새로고침 후 다시 시도하십시오.

# 사용자
field-display-name = 표시 이름
field-role = 역할
field-wg-body = 실무그룹(위원의 경우)
field-time-zone = 시간대
hint-password = 12자 이상. API 토큰만 쓰는 계정이면 비워 두십시오.
col-state = 상태
col-actions = 작업
account-active = 활성
account-disabled = 비활성
account-disable = 비활성화
account-enable = 활성화
account-disable-who = { $name } 비활성화
account-enable-who = { $name } 활성화
account-new = 새 계정
account-create = 계정 만들기

# 토큰
tokens-intro = API 토큰으로 스크립트와 국가 미러가 내 권한으로 API를 사용합니다. 토큰은 한 번만 표시됩니다.
tokens-empty = API 토큰이 없습니다.
token-new = 새 토큰
token-create = 토큰 만들기
token-created = 새 토큰:
token-shown-once = 지금 복사하십시오. 토큰은 다이제스트로만 저장되어 다시 표시할 수 없습니다.
token-revoke = 폐기
token-revoke-which = { $name } 폐기
token-revoked = 폐기됨
field-token-name = 이름
field-scope = 범위
field-expires-days = 만료(일)
hint-expires = 1–3650. 만료되지 않는 토큰이면 비워 두십시오.
col-created = 생성
col-expires = 만료
col-last-used = 마지막 사용

# 감사
audit-filter = 감사 기록 필터
audit-empty = 일치하는 기록이 없습니다.
col-actor = 행위자
col-action = 행위
col-target = 대상
col-source = 출처
col-detail = 세부

# 환경설정
me-title = 내 환경설정
hint-time-zone = Asia/Seoul 같은 IANA 시간대. 시각이 이 시간대로 표시됩니다.

# 알림 메시지
flash-signed-out = 로그아웃했습니다.
flash-saved = 저장했습니다.
flash-participation-recorded = 참여 변경을 기록했습니다.
flash-body-created = 기구를 만들었습니다.
flash-body-saved = 기구를 새 개정으로 저장했습니다.
flash-account-created = 계정을 만들었습니다.
flash-account-disabled = 계정을 비활성화하고 세션을 종료했습니다.
flash-account-enabled = 계정을 활성화했습니다.
flash-token-revoked = 토큰을 폐기했습니다.

# 오류
error-404-title = 페이지를 찾을 수 없음
error-404-text = 여기에는 아무것도 없거나 볼 수 없는 내용입니다.
error-403-title = 허용되지 않음
error-403-text = 현재 역할로는 할 수 없는 작업입니다.
error-csrf-text = 양식이 만료되었습니다. 돌아가서 페이지를 새로고침한 후 다시 시도하십시오.
error-401-title = 먼저 로그인하십시오
error-401-text = 이 페이지를 보려면 로그인하십시오.
error-429-title = 시도 횟수 초과
error-500-title = 문제가 발생했습니다
error-500-text = 저희 쪽 문제입니다. 다시 발생하면 아래 참조 번호를 사무국에 알려 주십시오.
error-422-title = 요청이 올바르지 않습니다
error-409-title = 충돌
error-409-text = 그 사이에 다른 사람이 변경했습니다. 새로고침 후 다시 시도하십시오.
error-400-title = 잘못된 요청
error-400-text = 요청을 읽을 수 없습니다.
error-reference = 참조 번호:
error-home = 대시보드로 이동

# API 검증 규칙
rule-basis = 변경의 근거가 된 결정 또는 행위를 입력하십시오.
rule-retroactive = 발효일이 오늘 이전입니다. 변경은 과거의 답을 바꿀 수 없습니다.
rule-out-of-order = 발효일이 이 당사국의 이전 변경보다 앞섭니다.
rule-unchanged = 이 당사국은 그 날짜에 이미 이 상태입니다.
rule-date = 1945-01-01부터 2200-12-31 사이의 날짜를 YYYY-MM-DD 형식으로 입력하십시오.
rule-status = 참여, 초청, 정지, 탈퇴 중에서 선택하십시오.
rule-party = 당사국 코드가 아닙니다. CN, JP, KP, KR, RU, US 중 하나를 쓰십시오.
rule-reason = 변경의 근거가 된 결정 또는 행위를 입력하십시오.
rule-year = 1945년부터 2200년 사이의 연도를 입력하십시오.
rule-visibility = 공개 또는 제한을 선택하십시오.
rule-kind = 기구의 종류를 선택하십시오.
rule-name-empty = 이름을 입력하십시오.
rule-name-long = 이름이 200자를 넘습니다.
rule-restricted-members = 제한 기구는 회원 당사국을 선택해야 합니다.
rule-no-members = 회원 당사국을 하나 이상 선택하십시오.
rule-chair-not-member = 순번에 회원이 아닌 당사국이 있습니다.
rule-chair-twice = 순번에 같은 당사국이 두 번 있습니다.
rule-body-id = a–z, 0–9, '-'로 된 2–40자를 문자로 시작하여 입력하십시오.
rule-password-short = 비밀번호는 12자 이상이어야 합니다.
rule-username = a–z, 0–9, '.', '_', '-'로 된 3–64자를 입력하십시오.
rule-display-name = 1–200자를 입력하십시오.
rule-token-name = 1–100자를 입력하십시오.
rule-scope = 읽기 또는 쓰기를 선택하십시오.
rule-expiry = 1에서 3650 사이의 일수를 입력하십시오.
rule-time-zone = Asia/Seoul 같은 IANA 시간대를 입력하십시오.
rule-exists = 이미 사용 중인 식별자입니다.

# 통보 (신뢰안보구축조치 체제)
nav-notifications = 통보
nav-compliance = 이행 현황
notif-new = 새 통보
notif-filters = 통보 필터
notif-all = 전체
notif-type = 유형
notif-basket = 분야
notif-filter = 필터 적용
notif-view-list = 목록
notif-view-month = 월간
notif-none = 해당하는 통보가 없습니다.
notif-date = 활동 일자
notif-summary = 요약
notif-received = 접수
notif-log-index = 로그 번호
notif-status = 상태
notif-content = 내용
notif-acks = 수신 확인
notif-no-acks = 아직 수신 확인이 없습니다.
notif-not-acked = 수신 확인 미제출:
notif-key-file = 당사국 키 파일
notif-key-hint = rsm keygen으로 만든 RSM-PARTY-KEY 파일입니다. 이 브라우저 안에서만 읽으며 전송하지 않습니다.
notif-acknowledge = 수신 확인
notif-receipt = 로그 영수증
notif-commitment = 로그에 기록된 커밋먼트:
notif-no-receipt = 아직 이 항목을 포함하는 체크포인트가 없습니다.
notif-choose = 선택
notif-deadline = 기한
notif-required = 필수
notif-start = 시작
notif-end = 종료
notif-time = 시각
notif-zone = 시간대
notif-centre = 중심 (경도, 위도)
notif-radius = 반경 (km)
notif-polygon = 또는 다각형: 경도 위도; …
notif-sign-submit = 서명하여 제출
notif-valid = 내용이 체제 요건을 충족합니다.
notif-invalid = 다음 항목이 체제 요건을 충족하지 않습니다:
basket-security = 안보
basket-economic = 경제
basket-humanitarian = 인도
day-mon = 월
day-tue = 화
day-wed = 수
day-thu = 목
day-fri = 금
day-sat = 토
day-sun = 일
compliance-on_time = 기한 내
compliance-late = 지연
compliance-missing = 미제출
compliance-pending = 기한 전
compliance-notified_at_start = 개시 시 통보
compliance-amended_late = 기한 후 수정
compliance-voluntary = 자발적
compliance-cancelled = 취소됨
compliance-as-of = 조회 시점에 계산: { $when }
compliance-csv = CSV 내려받기
compliance-json = JSON 내려받기
compliance-chart = 당사국별 의무
compliance-none = 이 해에는 의무가 없습니다.
compliance-rows = 당사국 및 유형별
compliance-subject = 대상
compliance-due = 기한
compliance-delay = 지연 시간
compliance-patterns = 기준치 근접 패턴
compliance-consultations = 해명 요청
compliance-missing-acks = 누락된 수신 확인
notif-map = 통보 지역 지도
notif-map-source = 해안선: Natural Earth (퍼블릭 도메인), 1:50m, world-atlas 경유.
notif-map-outside = 지도 범위 밖
notif-view-map = 지도
