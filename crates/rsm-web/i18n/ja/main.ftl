# RSM 画面 — 日本語（完全訳：英語カタログのすべてのキーがあります）。

app-name = RSM
skip-to-content = 本文へ移動
footer = 北東アジア地域安全保障メカニズム
times-shown-in = 時刻は { $zone } で表示しています
language = 言語
language-change = 変更
nav-label = メインメニュー
nav-dashboard = ダッシュボード
nav-parties = 当事国
nav-bodies = 機関
nav-tokens = 自分のトークン
nav-people = ユーザー
nav-audit = 監査記録
sign-in = ログイン
sign-out = ログアウト
signed-in-as = { $name } としてログイン中
yes = はい
save = 保存
cancel = キャンセル
always = 常時
never = なし
today = 本日
since = { $date } から
filter = 絞り込み
filter-clear = 解除
pager = ページ
newest = 最新
older = 以前
legend = 凡例

# Sign-in
signin-intro = 事務局から交付されたアカウントでログインしてください。
signin-wrong = ユーザー名またはパスワードが正しくありません。
signin-throttled = 失敗した試行が多すぎます。数分待ってから再度お試しください。
signin-expired = ログインフォームの有効期限が切れました。もう一度お試しください。
field-username = ユーザー名
field-password = パスワード

# Welcome (signed out)
welcome-title = 地域安全保障メカニズム
welcome-text = 北東アジア地域安全保障メカニズムのプラットフォームです。ログインすると、所属機関と関係事項を確認できます。

# Dashboard
dash-today = 本日は { $date }（UTC）です。
dash-my-bodies = 自分の機関
dash-no-bodies = まだどの機関の構成員にも登録されていません。
dash-due = 期限間近
dash-nothing-due = 期限間近の事項はありません。通報及び沈黙手続の期限がここに表示されます。
dash-parties = 当事国の参加状況
dash-recent = 最近の動き
dash-no-recent = 最近の動きはまだありません。
recent-revision = { $body }：改訂 { $revision }（{ $reason }）
recent-mine = 自分：{ $action }
chair-is = 議長 { $party }

# Statuses, kinds, roles, scopes
status-participating = 参加
status-invited = 招請
status-suspended = 停止
status-withdrawn = 脱退
kind-ministerial-council = 閣僚理事会
kind-working-group-security = 作業部会（安全保障）
kind-working-group-economic = 作業部会（経済）
kind-working-group-humanitarian = 作業部会（人道）
kind-talks = 協議
visibility-public = 公開
visibility-restricted = 限定
role-secretariat-admin = 事務局管理者
role-secretariat-officer = 事務局職員
role-delegate = 代表
role-auditor = 監査担当者
role-focal-point = 人道連絡窓口
role-working-group-member = 作業部会構成員
scope-read = 読取り
scope-write = 書込み

# Actions in "recent"
action-session-sign-in = ログインしました
action-session-sign-out = ログアウトしました
action-participation-seed = 参加状況の時系列を初期設定しました
action-body-read = 限定機関を閲覧しました
action-body-list = 機関の一覧を表示しました
action-body-create = 機関を設置しました
action-body-update = 機関を編集しました
action-participation-set = 参加状況の変更を記録しました
action-account-create = アカウントを作成しました
action-account-preferences = 個人設定を変更しました
action-account-password = パスワードを変更しました
action-account-disable = アカウントを無効にしました
action-account-enable = アカウントを有効にしました
action-token-create = API トークンを作成しました
action-token-revoke = API トークンを失効させました

# Parties
party-cn = 中国
party-jp = 日本
party-kp = 朝鮮民主主義人民共和国
party-kr = 大韓民国
party-ru = ロシア連邦
party-us = アメリカ合衆国
col-party = 当事国
col-status = 状況
col-since = 開始日
col-basis = 根拠
col-effective = 発効日
col-recorded = 記録日時
party-history = 参加状況の履歴
party-no-history = 変更の記録はありません。この当事国は招請中として扱われます。
party-record-change = 参加状況の変更を記録
party-record-hint = 変更は本日以降に効力を生じ、過去の回答を書き換えることはありません。
party-record-submit = 変更を記録する
timeline-label = 参加状況の推移
hint-effective = 新たな状況の初日（YYYY-MM-DD 形式）。

# Bodies
col-body = 機関
col-kind = 種別
col-visibility = 公開範囲
col-members = 構成国
col-chair = 議長
col-active = 活動
col-when = 日時
col-by = 実施者
col-reason = 理由
members-all = すべての参加国
bodies-empty = 閲覧できる機関はありません。
body-new = 新しい機関
body-create = 機関を設置する
body-edit = 機関を編集
body-inactive = 活動停止中
body-must-agree = 本日の同意が必要
body-active-while = { $party } が参加している間は活動
body-rotation = 議長の輪番
body-no-rotation = 議長の輪番は設定されていません。
body-revisions = 改訂履歴
field-body-id = 識別子
hint-body-id = 2～40 文字：a–z、0–9 及び「-」で、英字で始まるもの。後から変更することはできません。
field-name = 名称
hint-members = 又は下の構成国にチェックを入れてください（限定機関では必須です）。
hint-rotation = 当事国コードを順に、コンマで区切って入力してください。
field-rotation-start = 輪番の開始年
field-active-while = 活動
hint-reason = 変更の根拠となる決定又は行為。
form-has-errors = 下記の印が付いた項目を修正してください。
form-conflict = その間に他の人が変更したか、既に存在します。再読込みしてから再度お試しください。

# People
field-display-name = 表示名
field-role = 役割
field-wg-body = 作業部会（その構成員の場合）
field-time-zone = タイムゾーン
hint-password = 12 文字以上。API トークンのみを使用するアカウントの場合は空欄にしてください。
col-state = 状態
col-actions = 操作
account-active = 有効
account-disabled = 無効
account-disable = 無効にする
account-enable = 有効にする
account-disable-who = { $name } を無効にする
account-enable-who = { $name } を有効にする
account-new = 新しいアカウント
account-create = アカウントを作成する

# Tokens
tokens-intro = API トークンを使うと、スクリプトや各国のミラーがあなたとして API を利用できます。各トークンは一度だけ表示されます。
tokens-empty = API トークンはありません。
token-new = 新しいトークン
token-create = トークンを作成する
token-created = 新しいトークン：
token-shown-once = 今すぐコピーしてください。ダイジェストとしてのみ保存されるため、再表示はできません。
token-revoke = 失効
token-revoke-which = { $name } を失効させる
token-revoked = 失効済み
field-token-name = 名称
field-scope = 権限範囲
field-expires-days = 有効期間（日）
hint-expires = 1～3650。無期限のトークンの場合は空欄にしてください。
col-created = 作成日時
col-expires = 有効期限
col-last-used = 最終使用日時

# Audit
audit-filter = 監査記録の絞り込み
audit-empty = 該当する記録はありません。
col-actor = 実施者
col-action = 操作
col-target = 対象
col-source = 接続元
col-detail = 詳細

# Preferences
me-title = 個人設定
hint-time-zone = Asia/Tokyo のような IANA タイムゾーン。時刻はこのタイムゾーンで表示されます。

# Flash messages
flash-signed-out = ログアウトしました。
flash-saved = 保存しました。
flash-participation-recorded = 参加状況の変更を記録しました。
flash-body-created = 機関を設置しました。
flash-body-saved = 機関を新しい改訂として保存しました。
flash-account-created = アカウントを作成しました。
flash-account-disabled = アカウントを無効にし、そのセッションを終了しました。
flash-account-enabled = アカウントを有効にしました。
flash-token-revoked = トークンを失効させました。

# Errors
error-404-title = ページが見つかりません
error-404-text = ここには何もないか、閲覧する権限がありません。
error-403-title = 許可されていません
error-403-text = あなたの役割ではこの操作は許可されていません。
error-csrf-text = このフォームの有効期限が切れました。前のページに戻り、再読込みしてから再度お試しください。
error-401-title = ログインが必要です
error-401-text = このページを表示するにはログインしてください。
error-429-title = 試行回数が多すぎます
error-500-title = エラーが発生しました
error-500-text = システム側の問題です。再度発生した場合は、下記の参照番号を添えて事務局に連絡してください。
error-422-title = 無効な要求です
error-409-title = 競合
error-409-text = その間に他の人が変更しました。再読込みしてから再度お試しください。
error-400-title = 不正な要求
error-400-text = 要求を読み取れませんでした。
error-reference = 参照番号：
error-home = ダッシュボードへ

# Validation rules of the API, in words
rule-basis = 変更の根拠となった決定又は行為を記入してください。
rule-retroactive = 発効日が本日より前です。変更によって過去の回答を書き換えることはできません。
rule-out-of-order = 発効日が当該当事国の直前の変更より前です。
rule-unchanged = 当該当事国はその日付で既にこの状況にあります。
rule-date = 1945-01-01 から 2200-12-31 までの日付を YYYY-MM-DD 形式で入力してください。
rule-status = 参加、招請、停止又は脱退のいずれかを選択してください。
rule-party = 当事国コードではありません。CN、JP、KP、KR、RU 又は US を使用してください。
rule-reason = 変更の根拠となる決定又は行為を記入してください。
rule-year = 1945 から 2200 までの年を入力してください。
rule-visibility = 公開又は限定を選択してください。
rule-kind = 機関の種別を選択してください。
rule-name-empty = 名称を入力してください。
rule-name-long = 名称が 200 文字を超えています。
rule-restricted-members = 限定機関では構成国にチェックを入れる必要があります。
rule-no-members = 構成国を少なくとも一つ選択してください。
rule-chair-not-member = 輪番に構成国でない当事国が含まれています。
rule-chair-twice = 輪番に同じ当事国が二度含まれています。
rule-body-id = a–z、0–9 及び「-」の 2～40 文字で、英字で始めてください。
rule-password-short = パスワードは 12 文字以上にしてください。
rule-username = a–z、0–9、「.」、「_」及び「-」の 3～64 文字を使用してください。
rule-display-name = 1～200 文字で入力してください。
rule-token-name = 1～100 文字で入力してください。
rule-scope = 読取り又は書込みを選択してください。
rule-expiry = 1 から 3650 までの日数を入力してください。
rule-time-zone = Asia/Tokyo のような IANA タイムゾーンを入力してください。
rule-exists = この識別子は既に使用されています。
