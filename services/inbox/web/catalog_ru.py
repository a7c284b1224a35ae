"""Russian translations of the interface (English message -> Russian). A test checks every message is here."""
from __future__ import annotations

from chorus.inbox.web.catalog_posts_ru import RU_POSTS

RU: dict[str, str] = {
    # navigation and layout
    "Inbox": "Входящие", "Alerts": "Оповещения", "Response times": "Время ответа", "Settings": "Настройки",
    "Main": "Главное меню", "Shortcuts": "Клавиши", "Log out": "Выйти", "Open alerts": "Открыть оповещения",
    "Dismiss": "Скрыть", "Live updates paused; reconnecting…": "Живые обновления прервались, переподключаемся…",
    "Keyboard shortcuts": "Горячие клавиши", "Next / previous conversation": "Следующий / предыдущий диалог",
    "Open the selected conversation": "Открыть выбранный диалог", "Close the conversation": "Закрыть диалог",
    "This help": "Эта подсказка", "Send the reply": "Отправить ответ", "Assign to me": "Взять себе",
    "Search": "Поиск", "Reply": "Ответить", "Close": "Закрыть",
    # inbox list
    "Search comments and messages": "Поиск по комментариям и сообщениям", "Workspace": "Проект",
    "All workspaces": "Все проекты", "Network": "Соцсеть", "All networks": "Все соцсети", "Account": "Аккаунт",
    "All accounts": "Все аккаунты", "Kind": "Тип", "All kinds": "Все типы", "Sentiment": "Тональность",
    "Any sentiment": "Любая тональность", "Tag": "Метка", "Any tag": "Любая метка", "Apply": "Применить",
    "Clear filters": "Сбросить фильтры", "Nothing matches this search.": "По этому запросу ничего не найдено.",
    "No conversations here yet. New comments, messages and mentions appear as they arrive.":
        "Здесь пока пусто. Новые комментарии, сообщения и упоминания появятся сразу, как придут.",
    "Older conversations": "Более ранние", "Unknown author": "Неизвестный автор", "Closed": "Закрыт",
    "Open": "Открыт", "tab|Open": "Открытые", "tab|Closed": "Закрытые", "Mine": "Мои", "Unassigned": "Без ответственного", "All": "Все", "You:": "Вы:",
    "Assigned to": "Ответственный:", "Comments": "Комментарии", "Message": "Сообщение", "Mention": "Упоминание",
    "Messages": "Сообщения", "Mentions": "Упоминания", "Positive": "Позитив", "Neutral": "Нейтрально",
    "Negative": "Негатив",
    # conversation
    "Conversation": "Диалог", "Back to the inbox": "Ко входящим", "Reopen": "Открыть снова", "Post": "Пост",
    "Message to {name}": "Сообщение для {name}", "Reply to {name}": "Ответ: {name}",
    "Comment on the post": "Комментарий к посту", "Canned replies": "Шаблоны ответов",
    "Canned replies…": "Шаблоны…", "Write a reply…": "Напишите ответ…", "{n} of {max}": "{n} из {max}",
    "Ctrl+Enter to send": "Ctrl+Enter — отправить", "Send": "Отправить",
    "You have read-only access to this workspace.": "У вас доступ только на чтение в этом проекте.",
    "Teammate": "Коллега", "internal note": "внутренняя заметка", "via Chorus": "через Chorus",
    "(the account)": "(аккаунт)", "Original:": "Исходный текст:", "edited": "изменён",
    "open on the network": "открыть в соцсети", "Deleted on the network": "Удалён в соцсети",
    "Sending…": "Отправляется…", "Sent": "Отправлен", "view on the network": "посмотреть в соцсети",
    "Failed:": "Не отправлен:", "sent again": "отправлен повторно", "Retry": "Повторить",
    "Correct the sentiment": "Исправить тональность", "Correct…": "Исправить…", "Details": "Подробности",
    "Author": "Автор", "First response": "Первый ответ", "Resolution": "Решён за", "Assignee": "Ответственный",
    "Tags": "Метки", "Remove tag": "Убрать метку", "No tags": "Меток нет",
    "Add tags, comma-separated": "Метки через запятую", "Add tags": "Добавить метки", "Add": "Добавить",
    "Internal note": "Внутренняя заметка", "Visible to your team only": "Видна только вашей команде",
    "Add note": "Добавить заметку", "Someone": "Кто-то",
    "{who} assigned this to {to}": "{who} назначает ответственным: {to}",
    "{who} unassigned this": "{who} снимает ответственного", "{who} closed this": "{who} закрывает диалог",
    "{who} reopened this": "{who} открывает диалог снова", "{who} added tags: {tags}": "{who} добавляет метки: {tags}",
    "{who} removed tags: {tags}": "{who} убирает метки: {tags}",
    # login and errors
    "Log in": "Войти", "E-mail": "Эл. почта", "Password": "Пароль", "Not found.": "Не найдено.",
    "Not found": "Не найдено",
    "This page does not exist, or it belongs to a workspace you are not a member of.":
        "Такой страницы нет, или она относится к проекту, в котором вас нет.",
    "Log in first.": "Сначала войдите.", "Not possible": "Не получилось",
    "The form expired. Reload the page and try again.": "Форма устарела. Обновите страницу и повторите.",
    "Too many failed attempts. Try again in {n} min.": "Слишком много неудачных попыток. Повторите через {n} мин.",
    "Wrong e-mail or password.": "Неверная почта или пароль.",
    "The reply is {length} characters long; {network} allows at most {maximum}. Shorten it and send again.":
        "В ответе {length} символов, а {network} принимает не больше {maximum}. Сократите текст и отправьте снова.",
    "Write a reply first.": "Сначала напишите ответ.",
    "This comment was deleted on the network, so the reply cannot be posted there.":
        "Этот комментарий удалён в соцсети, ответить на него нельзя.",
    "This form is out of date. Reload the page and send again.": "Форма устарела. Обновите страницу и отправьте снова.",
    "Your role in this workspace does not allow this.": "Ваша роль в этом проекте этого не позволяет.",
    "That person is not a member of this workspace.": "Этого человека нет в проекте.",
    "{tag} is not a valid tag: use letters, digits, spaces, dots, plus and minus.":
        "{tag} — недопустимая метка: используйте буквы, цифры, пробелы, точки, плюс и минус.",
    "Write the note first.": "Сначала напишите заметку.",
    "A note may have up to {maximum} characters.": "В заметке может быть до {maximum} символов.",
    "Choose positive, neutral or negative.": "Выберите позитив, нейтрально или негатив.",
    "Only a failed reply can be sent again.": "Повторить можно только неотправленный ответ.",
    "Give the rule a name.": "Дайте правилу название.",
    "Name at least one word or phrase to look for.": "Укажите хотя бы одно слово или фразу для поиска.",
    "{field} must be a number.": "{field}: нужно число.", "Choose one of the offered kinds.": "Выберите тип из списка.",
    "Choose destinations from the list.": "Выберите получателей из списка.",
    "A value of the rule is out of range: {detail}": "Значение правила вне допустимых границ: {detail}",
    "Check the address: a webhook needs an http(s) URL, Telegram a chat id or @channel, e-mail an address.":
        "Проверьте адрес: вебхуку нужен http(s)-адрес, Telegram — id чата или @канал, почте — адрес почты.",
    "The workspace needs a name.": "У проекта должно быть название.",
    "{value} is not a time zone; use a name such as Europe/Moscow.":
        "{value} — не часовой пояс; используйте название вида Europe/Moscow.",
    "{value} is not a range of hours such as 09:00-18:00.": "{value} — не интервал времени вида 09:00-18:00.",
    "Set CHORUS_SECRET_KEY first: tokens and secrets are stored encrypted with it.":
        "Сначала задайте CHORUS_SECRET_KEY: токены и секреты шифруются этим ключом.",
    "Choose a network.": "Выберите соцсеть.", "Paste at least one token.": "Вставьте хотя бы один токен.",
    "The network refused the token: {detail}": "Соцсеть не приняла токен: {detail}",
    "This account is already disconnected.": "Этот аккаунт уже отключён.",
    "A workspace keeps at least one admin.": "В проекте должен остаться хотя бы один администратор.",
    "Choose admin, manager or viewer.": "Выберите администратора, менеджера или наблюдателя.",
    "A user with the e-mail {email} already exists.": "Пользователь с почтой {email} уже есть.",
    "{value} is not an e-mail address.": "{value} — не адрес почты.",
    "The password must have at least {minimum} characters.": "В пароле должно быть не меньше {minimum} символов.",
    "A canned reply needs a title and a text.": "У шаблона должны быть название и текст.",
    "The test was not delivered: {detail}": "Проверка не доставлена: {detail}",
    # durations
    "{n} s": "{n} с", "{n} min": "{n} мин", "{h} h {m} min": "{h} ч {m} мин", "{d} d {h} h": "{d} д {h} ч",
    # alerts
    "Channel health": "Состояние каналов", "Gaps in reading": "Пропуски в чтении", "Raised alerts": "Оповещения",
    "{n} items": "элементов: {n}", "No alerts yet. Alert rules are set in Settings.":
        "Оповещений пока нет. Правила оповещений задаются в настройках.",
    "connected": "подключён", "token expired": "токен истёк", "disconnected": "отключён", "Info": "Инфо",
    "Warning": "Внимание", "Critical": "Критично", "Negative mention": "Негативное упоминание",
    "Negative spike": "Всплеск негатива",
    "{network} {account}: no data from {start} to {end}": "{network} {account}: нет данных с {start} до {end}",
    # report
    "Period": "Период", "Last {n} days": "Последние {n} дн.",
    "First response: from the first incoming item to the first reply. Resolution: from the first incoming item "
    "to closing. Conversations that started in the period.":
        "Первый ответ — от первого входящего до первого ответа. Решение — от первого входящего до закрытия. "
        "Учитываются диалоги, начавшиеся в периоде.",
    "By manager": "По менеджерам", "Manager": "Менеджер", "By account": "По аккаунтам",
    "Conversations": "Диалоги", "Answered": "С ответом", "Median first response": "Медиана первого ответа",
    "Average first response": "Среднее время первого ответа", "Median resolution": "Медиана решения", "Resolved": "Решено",
    "No conversations in this period.": "В этом периоде диалогов нет.",
    # settings
    "Accounts": "Аккаунты", "Rules": "Правила", "Alert destinations": "Куда оповещать", "Team": "Команда",
    "Saved.": "Сохранено.", "Removed.": "Удалено.", "Account connected.": "Аккаунт подключён.",
    "Account disconnected.": "Аккаунт отключён.", "Test delivered.": "Проверка доставлена.", "Done.": "Готово.",
    "Connected accounts": "Подключённые аккаунты", "Tokens:": "Токены:", "needs a token:": "нужен токен:",
    "Last gap:": "Последний пропуск:", "Disconnect": "Отключить", "No accounts yet.": "Аккаунтов пока нет.",
    "Connect an account": "Подключить аккаунт",
    "Set CHORUS_SECRET_KEY to connect accounts: tokens are stored encrypted with it.":
        "Задайте CHORUS_SECRET_KEY, чтобы подключать аккаунты: токены шифруются этим ключом.",
    "Verify and connect": "Проверить и подключить", "Brand keyword rules": "Ключевые слова бренда",
    "Any of:": "Любое из:", "and all of:": "и все из:", "none of:": "и ни одного из:", "Remove": "Удалить",
    "No brand rules yet.": "Правил бренда пока нет.", "Name": "Название",
    "Any of these words or phrases (comma-separated)": "Любое из слов или фраз (через запятую)",
    "And all of": "И все из", "And none of": "И ни одного из", "Preview the last 7 days": "Проверить на 7 днях",
    "Save rule": "Сохранить правило",
    "{n} of {total} items in the last 7 days match.": "Совпадений за 7 дней: {n} из {total}.",
    "Alert rules": "Правила оповещений",
    "window {w} min, ×{s} over baseline, at least {c}": "окно {w} мин, ×{s} к норме, не меньше {c}",
    "score ≤ {s}, author ≥ {f} followers": "оценка ≤ {s}, у автора ≥ {f} подписчиков", "to": "получателей:",
    "No alert rules yet.": "Правил оповещений пока нет.", "Watches": "Следит за", "Score at most": "Оценка не выше",
    "Author followers at least": "Подписчиков у автора не меньше", "Window, min": "Окно, мин",
    "Sensitivity": "Чувствительность", "At least": "Не меньше", "Send to": "Отправлять",
    "Send a test": "Отправить проверку",
    "The inbox always shows alerts. Add a webhook, a Telegram chat or an e-mail address to be told elsewhere.":
        "Входящие показывают оповещения всегда. Добавьте вебхук, чат Telegram или почту, чтобы получать их и там.",
    "Add a destination": "Добавить получателя", "URL, chat id or e-mail": "Адрес, id чата или почта",
    "Secret (webhook signing key or bot token; stored encrypted)":
        "Секрет (ключ подписи вебхука или токен бота; хранится зашифрованным)",
    "Role": "Роль", "Admin": "Администратор", "Viewer": "Наблюдатель", "Remove from workspace": "Убрать из проекта",
    "Add a person": "Добавить человека",
    "Password (for a new user, at least 8 characters)": "Пароль (для нового пользователя, от 8 символов)",
    "Time zone": "Часовой пояс", "Missed-post limit, min": "Допустимое опоздание поста, мин",
    "Business hours (empty everywhere: always open)": "Рабочие часы (все пустые — круглосуточно)",
    "Mon": "Пн", "Tue": "Вт", "Wed": "Ср", "Thu": "Чт", "Fri": "Пт", "Sat": "Сб", "Sun": "Вс",
    "Managers' posts wait for an admin's approval": "Посты менеджеров ждут одобрения администратора",
    "Save": "Сохранить", "No canned replies yet.": "Шаблонов пока нет.", "Add a canned reply": "Добавить шаблон",
    "Title": "Название", "Text": "Текст", "Hello, {author_name}! …": "Здравствуйте, {author_name}! …",
    "Placeholders: {author_name}, {account_name}, {manager_name}":
        "Подстановки: {author_name}, {account_name}, {manager_name}",
    "Community token": "Токен сообщества", "Administrator's user token": "Пользовательский токен администратора",
    "Community id (optional: read from the token)": "ID сообщества (необязательно: берётся из токена)",
    "Bot token": "Токен бота", "Channel or group id (optional)": "ID канала или группы (необязательно)",
    "App bearer token (reading)": "Bearer-токен приложения (чтение)",
    "User access token (replying, posting)": "Пользовательский токен (ответы, публикации)", "X user id": "ID в X",
    "Page access token": "Токен страницы", "Page id": "ID страницы",
    # browser script
    "Something went wrong; try again.": "Что-то пошло не так, попробуйте ещё раз.",
    "Too long for {network}: {n} of {max}": "Слишком длинно для {network}: {n} из {max}",
    "New activity": "Новая активность", "Reload the page": "Обновите страницу",
}
RU.update(RU_POSTS)  # the publishing pages' messages
