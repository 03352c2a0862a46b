# Страницы RSM — русский.

app-name = RSM
skip-to-content = Перейти к содержанию
footer = Региональный механизм безопасности в Северо-Восточной Азии
times-shown-in = Время указано в часовом поясе { $zone }
language = Язык
language-change = Сменить
nav-label = Главное меню
nav-dashboard = Обзор
nav-parties = Стороны
nav-bodies = Органы
nav-tokens = Мои токены
nav-people = Пользователи
nav-audit = Журнал аудита
sign-in = Войти
sign-out = Выйти
signed-in-as = Вы вошли как { $name }
yes = Да
save = Сохранить
cancel = Отмена
always = Всегда
never = Никогда
today = Сегодня
since = с { $date }
filter = Фильтр
filter-clear = Сбросить
pager = Страницы
newest = Новые
older = Более ранние
legend = Условные обозначения

# Вход
signin-intro = Войдите с учётной записью, выданной секретариатом.
signin-wrong = Неверное имя пользователя или пароль.
signin-throttled = Слишком много неудачных попыток. Подождите несколько минут и повторите попытку.
signin-expired = Срок действия формы входа истёк. Повторите попытку.
field-username = Имя пользователя
field-password = Пароль

# Приветствие (до входа)
welcome-title = Региональный механизм безопасности
welcome-text = Платформа регионального механизма безопасности в Северо-Восточной Азии. Войдите, чтобы увидеть свои органы и касающиеся вас вопросы.

# Обзор
dash-today = Сегодня { $date } (UTC).
dash-my-bodies = Мои органы
dash-no-bodies = Вы пока не включены в состав ни одного органа.
dash-due = Ближайшие сроки
dash-nothing-due = Ближайших сроков нет. Здесь будут отображаться сроки уведомлений и процедур умолчания.
dash-parties = Участие сторон
dash-recent = Последние события
dash-no-recent = Последних событий пока нет.
recent-revision = { $body }: редакция { $revision } ({ $reason })
recent-mine = Вы: { $action }
chair-is = председатель — { $party }

# Статусы, виды, роли, области доступа
status-participating = Участвует
status-invited = Приглашена
status-suspended = Участие приостановлено
status-withdrawn = Вышла
kind-ministerial-council = Совет министров
kind-working-group-security = Рабочая группа (безопасность)
kind-working-group-economic = Рабочая группа (экономика)
kind-working-group-humanitarian = Рабочая группа (гуманитарные вопросы)
kind-talks = Переговоры
visibility-public = Открытый
visibility-restricted = Ограниченный
role-secretariat-admin = Администратор секретариата
role-secretariat-officer = Сотрудник секретариата
role-delegate = Делегат
role-auditor = Аудитор
role-focal-point = Координатор по гуманитарным вопросам
role-working-group-member = Член рабочей группы
scope-read = Чтение
scope-write = Запись

# Действия в разделе «Последние события»
action-session-sign-in = вход в систему
action-session-sign-out = выход из системы
action-participation-seed = заполнение исходной хронологии участия
action-body-read = просмотр органа с ограниченным доступом
action-body-list = просмотр списка органов
action-body-create = создание органа
action-body-update = изменение органа
action-participation-set = регистрация изменения участия
action-account-create = создание учётной записи
action-account-preferences = изменение настроек
action-account-password = смена пароля
action-account-disable = блокировка учётной записи
action-account-enable = разблокировка учётной записи
action-token-create = создание API-токена
action-token-revoke = отзыв API-токена

# Стороны
party-cn = Китай
party-jp = Япония
party-kp = КНДР
party-kr = Республика Корея
party-ru = Российская Федерация
party-us = Соединённые Штаты
col-party = Сторона
col-status = Статус
col-since = С
col-basis = Основание
col-effective = Вступает в силу
col-recorded = Зарегистрировано
party-history = История участия
party-no-history = Изменений не зарегистрировано; сторона считается приглашённой.
party-record-change = Зарегистрировать изменение участия
party-record-hint = Изменение вступает в силу сегодня или позднее и никогда не меняет данные за прошлые даты.
party-record-submit = Зарегистрировать изменение
timeline-label = Участие во времени
hint-effective = Первый день действия нового статуса в формате ГГГГ-ММ-ДД.

# Органы
col-body = Орган
col-kind = Вид
col-visibility = Доступ
col-members = Члены
col-chair = Председатель
col-active = Действует
col-when = Когда
col-by = Кем
col-reason = Основание
members-all = Все участвующие стороны
bodies-empty = Нет органов, доступных вам для просмотра.
body-new = Новый орган
body-create = Создать орган
body-edit = Изменить орган
body-inactive = Не действует
body-must-agree = Должны согласиться сегодня
body-active-while = действует, пока участвует { $party }
body-rotation = Ротация председательства
body-no-rotation = Ротация председательства не установлена.
body-revisions = Редакции
field-body-id = Идентификатор
hint-body-id = От 2 до 40 символов: a–z, 0–9 и «-», начиная с буквы. Впоследствии изменить нельзя.
field-name = Название
hint-members = Или отметьте стороны-члены ниже (для органа с ограниченным доступом это обязательно).
hint-rotation = Коды сторон по порядку через запятую.
field-rotation-start = Ротация начинается в
field-active-while = Действует
hint-reason = Решение или акт, на основании которого вносится изменение.
form-has-errors = Исправьте отмеченные ниже поля.
form-conflict = Кто-то уже изменил эти данные, или такая запись уже существует. Обновите страницу и повторите попытку.

# Пользователи
field-display-name = Отображаемое имя
field-role = Роль
field-wg-body = Рабочая группа (для её членов)
field-time-zone = Часовой пояс
hint-password = Не менее 12 символов. Оставьте пустым для учётной записи, использующей только API-токены.
col-state = Состояние
col-actions = Действия
account-active = Активна
account-disabled = Заблокирована
account-disable = Заблокировать
account-enable = Разблокировать
account-disable-who = Заблокировать { $name }
account-enable-who = Разблокировать { $name }
account-new = Новая учётная запись
account-create = Создать учётную запись

# Токены
tokens-intro = API-токены позволяют скриптам и национальным зеркалам работать с API от вашего имени. Каждый токен показывается только один раз.
tokens-empty = У вас нет API-токенов.
token-new = Новый токен
token-create = Создать токен
token-created = Ваш новый токен:
token-shown-once = Скопируйте его сейчас: он хранится только в виде хеша и больше не может быть показан.
token-revoke = Отозвать
token-revoke-which = Отозвать { $name }
token-revoked = Отозван
field-token-name = Название
field-scope = Область доступа
field-expires-days = Срок действия (дней)
hint-expires = От 1 до 3650; оставьте пустым для бессрочного токена.
col-created = Создан
col-expires = Истекает
col-last-used = Последнее использование

# Аудит
audit-filter = Фильтр журнала аудита
audit-empty = Подходящих событий нет.
col-actor = Пользователь
col-action = Действие
col-target = Объект
col-source = Откуда
col-detail = Подробности

# Настройки
me-title = Мои настройки
hint-time-zone = Часовой пояс IANA, например Asia/Seoul. Время отображается в нём.

# Уведомления о результате действий
flash-signed-out = Вы вышли из системы.
flash-saved = Сохранено.
flash-participation-recorded = Изменение участия зарегистрировано.
flash-body-created = Орган создан.
flash-body-saved = Орган сохранён в новой редакции.
flash-account-created = Учётная запись создана.
flash-account-disabled = Учётная запись заблокирована, её сеансы завершены.
flash-account-enabled = Учётная запись разблокирована.
flash-token-revoked = Токен отозван.

# Ошибки
error-404-title = Страница не найдена
error-404-text = Здесь ничего нет, или у вас нет доступа к этой странице.
error-403-title = Доступ запрещён
error-403-text = Ваша роль не позволяет выполнить это действие.
error-csrf-text = Срок действия формы истёк. Вернитесь назад, обновите страницу и повторите попытку.
error-401-title = Требуется вход
error-401-text = Войдите, чтобы просмотреть эту страницу.
error-429-title = Слишком много попыток
error-500-title = Произошла ошибка
error-500-text = Ошибка на нашей стороне. Если она повторится, сообщите в секретариат и укажите приведённый ниже номер.
error-422-title = Недопустимый запрос
error-409-title = Конфликт
error-409-text = Кто-то уже изменил эти данные. Обновите страницу и повторите попытку.
error-400-title = Некорректный запрос
error-400-text = Не удалось прочитать запрос.
error-reference = Номер:
error-home = Перейти к обзору

# Правила проверки API, словами
rule-basis = Укажите решение или акт, на основании которого внесено изменение.
rule-retroactive = Дата вступления в силу раньше сегодняшней: изменение не может менять данные за прошлые даты.
rule-out-of-order = Дата вступления в силу раньше даты предыдущего изменения участия этой стороны.
rule-unchanged = На эту дату сторона уже имеет этот статус.
rule-date = Введите дату в формате ГГГГ-ММ-ДД в диапазоне от 1945-01-01 до 2200-12-31.
rule-status = Выберите: участвует, приглашена, участие приостановлено или вышла.
rule-party = Недопустимый код стороны: используйте CN, JP, KP, KR, RU или US.
rule-reason = Укажите решение или акт, на основании которого вносится изменение.
rule-year = Введите год от 1945 до 2200.
rule-visibility = Выберите открытый или ограниченный доступ.
rule-kind = Выберите вид органа.
rule-name-empty = Введите название.
rule-name-long = Название длиннее 200 символов.
rule-restricted-members = Для органа с ограниченным доступом необходимо отметить стороны-члены.
rule-no-members = Отметьте хотя бы одну сторону-член.
rule-chair-not-member = В ротации указана сторона, не являющаяся членом органа.
rule-chair-twice = В ротации одна сторона указана дважды.
rule-body-id = Используйте от 2 до 40 символов a–z, 0–9 и «-», начиная с буквы.
rule-password-short = Пароль должен содержать не менее 12 символов.
rule-username = Используйте от 3 до 64 символов: a–z, 0–9, «.», «_» и «-».
rule-display-name = Введите от 1 до 200 символов.
rule-token-name = Введите от 1 до 100 символов.
rule-scope = Выберите чтение или запись.
rule-expiry = Введите число дней от 1 до 3650.
rule-time-zone = Введите часовой пояс IANA, например Asia/Seoul.
rule-exists = Этот идентификатор уже занят.

