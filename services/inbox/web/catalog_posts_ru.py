"""Russian translations of the publishing pages (composer, calendar, posts, drafts, queue, UTM) and their refusals.

Merged into ``catalog_ru.RU``; the same test checks every message of the templates is translated.
"""
from __future__ import annotations

RU_POSTS: dict[str, str] = {
    # frame and tabs
    "Publishing": "Публикации", "Times on these pages are in the workspace time zone":
        "Время на этих страницах — в часовом поясе проекта", "Compose": "Новый пост", "Calendar": "Календарь",
    "Drafts and approvals": "Черновики и согласование", "Recurring": "Повторяющиеся", "Queue and UTM": "Очередь и UTM",
    "New post": "Новый пост", "Edit post": "Изменить пост",
    # states
    "Scheduled": "Запланирован", "Retrying": "Повтор отправки", "Sending": "Отправляется", "Outcome unknown": "Проверяется",
    "Published": "Опубликован", "Failed": "Ошибка", "Missed": "Пропущен", "Cancelled": "Отменён",
    "Draft": "Черновик", "Awaiting approval": "Ждёт согласования", "Rejected": "Возвращён", "Repeats": "Серия",
    # months
    "January": "Январь", "February": "Февраль", "March": "Март", "April": "Апрель", "May": "Май", "June": "Июнь",
    "July": "Июль", "August": "Август", "September": "Сентябрь", "October": "Октябрь", "November": "Ноябрь",
    "December": "Декабрь",
    "genitive|January": "января", "genitive|February": "февраля", "genitive|March": "марта", "genitive|April": "апреля",
    "genitive|May": "мая", "genitive|June": "июня", "genitive|July": "июля", "genitive|August": "августа",
    "genitive|September": "сентября", "genitive|October": "октября", "genitive|November": "ноября",
    "genitive|December": "декабря",
    # composer
    "Returned by an admin:": "Администратор вернул пост:", "This post is waiting for approval.":
        "Этот пост ждёт согласования.", "Check it and schedule it to approve it.":
        "Проверьте его и запланируйте — это и будет согласованием.",
    "Posts in this workspace are checked by an admin before they are scheduled.":
        "В этом проекте посты перед публикацией проверяет администратор.",
    "Post to": "Куда публикуем", "No accounts yet: an admin connects them in Settings.":
        "Аккаунтов пока нет: администратор подключает их в настройках.",
    "What would you like to share?": "О чём расскажем?", "Add images": "Добавить фото", "Remove image": "Убрать фото",
    "Campaign": "Кампания", "e.g. spring-sale": "например, spring-sale", "UTM tags on links": "UTM-метки в ссылках",
    "default": "по умолчанию", "Standard": "Стандартный", "No tags": "Без меток", "Texts per network": "Тексты для соцсетей",
    "Leave empty to post the text above. A text here replaces it for every account of that network.":
        "Оставьте пустым, чтобы опубликовать основной текст. Текст здесь заменит его для всех аккаунтов этой соцсети.",
    "Text for {network}": "Текст для {network}", "Same as the text above": "Как основной текст", "When": "Когда",
    "At a time": "Ко времени", "Now": "Сейчас", "Queue": "В очередь", "Repeat": "Серия",
    "Date and time": "Дата и время", "Time zone: {zone}": "Часовой пояс: {zone}",
    "How often": "Как часто", "Every day": "Каждый день", "Every week": "Каждую неделю", "Every month": "Каждый месяц",
    "Until (optional)": "До (необязательно)",
    "Each account's next free time from its queue (Queue and UTM).":
        "Ближайшее свободное время из очереди каждого аккаунта (раздел «Очередь и UTM»).",
    "Sent as soon as you confirm.": "Уйдёт сразу после подтверждения.", "Save draft": "Сохранить черновик",
    "Submit for approval": "Отправить на согласование", "Save changes": "Сохранить изменения",
    "Approve and schedule": "Согласовать и запланировать", "Schedule": "Запланировать", "Post now": "Опубликовать",
    "Add to queue": "Добавить в очередь", "Start the series": "Запустить серию", "Preview": "Предпросмотр",
    "Choose accounts to see each one's text as it will be posted.":
        "Выберите аккаунты — здесь появится текст для каждого, как он будет опубликован.",
    "Edit for this account": "Свой текст для этого аккаунта", "Text for this account only": "Текст только для этого аккаунта",
    "{n} / {max}": "{n} / {max}", "weighted": "по правилам X", "Uploading…": "Загрузка…",
    "Next free time: {time}": "Ближайшее свободное время: {time}",
    "No queue times for this account": "У аккаунта нет времени в очереди",
    "Goes out {time} ({zone})": "Выйдет {time} ({zone})",
    # calendar
    "Moved.": "Перенесено.", "Previous": "Назад", "Today": "Сегодня", "Next": "Вперёд", "Week": "Неделя",
    "Month": "Месяц", "New post at {time}": "Новый пост на {time}", "New post on {day}": "Новый пост на {day}",
    "{n} more": "ещё {n}",
    # post page
    "Back to the calendar": "К календарю", "by {name}": "автор: {name}",
    "approved by {name}": "согласовал(а): {name}", "Edit": "Изменить",
    "Cancel this post? What has not gone out yet will not be sent.":
        "Отменить пост? То, что ещё не опубликовано, не уйдёт.",
    "Cancel post": "Отменить пост", "Open on {network}": "Открыть в {network}",
    "Published (the network gave no link)": "Опубликован (соцсеть не дала ссылку)", "Needs a person": "Нужен человек",
    "Retrying at {time}": "Повтор в {time}", "Sending again": "Отправляется снова",
    "Checking on the network whether it went out; it is never sent twice.":
        "Проверяем в соцсети, вышел ли пост; дважды он не уйдёт.",
    "Not sent.": "Не отправлен.", "Goes out {time}": "Выйдет {time}",
    # drafts
    "Draft saved.": "Черновик сохранён.", "Sent for approval. An admin will check it.":
        "Отправлено на согласование. Администратор проверит пост.",
    "Approved and scheduled.": "Согласовано и запланировано.", "Approved; the series has started.":
        "Согласовано, серия запущена.", "Returned with your comment.": "Возвращено с вашим комментарием.",
    "Deleted.": "Удалено.", "Returned for changes": "Возвращены на доработку", "Drafts": "Черновики",
    "At {time}": "На {time}", "Repeats from {time}": "Серия с {time}", "updated {time}": "изменён {time}",
    "{n} images": "фото: {n}", "Admin:": "Администратор:", "Approve": "Согласовать", "Return": "Вернуть",
    "What should change?": "Что поправить?", "Return with comment": "Вернуть с комментарием",
    "Delete this draft?": "Удалить черновик?", "Delete": "Удалить", "Nothing here.": "Пусто.",
    # recurring
    "The series has started.": "Серия запущена.",
    "Stopped; its posts that had not gone out are cancelled.": "Остановлено; её неопубликованные посты отменены.",
    "Recurring posts": "Повторяющиеся посты", "Every day at {time}": "Каждый день в {time}",
    "Every {weekday} at {time}": "Каждую неделю, {weekday}, в {time}",
    "Every month on day {day} at {time}": "Каждый месяц, {day}-го числа, в {time}", "from {date}": "с {date}",
    "until {date}": "до {date}", "stopped": "остановлена", "next: {time}": "следующий: {time}", "ended": "завершена",
    "The next posts could not be scheduled: {reason}": "Следующие посты не удалось запланировать: {reason}",
    "Stop this series? Its posts that have not gone out are cancelled.":
        "Остановить серию? Её неопубликованные посты будут отменены.",
    "Stop": "Остановить", "No recurring posts. In the composer, choose Repeat.":
        "Повторяющихся постов нет. В редакторе выберите «Серия».",
    # queue and UTM
    "Posting queue": "Очередь публикаций",
    "Times each account posts at when a post is added to the queue, in {zone}. Separate several times with commas.":
        "Время, в которое аккаунт публикует посты из очереди ({zone}). Несколько значений — через запятую.",
    "UTM presets": "Наборы UTM-меток", "Not tagged:": "Без меток:",
    "Placeholders: {source} (vk, x, telegram, facebook unless renamed), {network}, {account}, {campaign}, {post}. "
    "A parameter that comes out empty is left out; a link that already has a parameter keeps it.":
        "Подстановки: {source} (vk, x, telegram, facebook, если не переименованы), {network}, {account}, {campaign}, "
        "{post}. Пустой параметр не добавляется; параметр, который в ссылке уже есть, остаётся как был.",
    "Add or change a preset": "Добавить или изменить набор", "Preset id (to change one)": "Какой набор изменить",
    "new preset": "новый набор", "Parameters, one per line": "Параметры, по одному в строке",
    "Source names per network (optional)": "Названия источников по соцсетям (необязательно)",
    "Domains never tagged, comma-separated": "Домены без меток, через запятую",
    "Also tag links written without http (shop.ru/sale)": "Размечать и ссылки без http (shop.ru/sale)",
    "Use by default": "Использовать по умолчанию", "Save preset": "Сохранить набор",
    "Admins edit the presets.": "Наборы меняют администраторы.",
    # refusals
    "Choose at least one account to post to.": "Выберите хотя бы один аккаунт.",
    "{account} is not connected: reconnect it in Settings or leave it out.":
        "{account} не подключён: переподключите его в настройках или уберите из поста.",
    "A text may have up to {maximum} characters.": "Текст может быть не длиннее {maximum} символов.",
    "A campaign name may have up to {maximum} characters.": "Название кампании — не длиннее {maximum} символов.",
    "A post may have up to {maximum} images.": "В посте может быть не больше {maximum} фото.",
    "An image of this post is no longer stored. Upload it again.": "Фото этого поста больше не хранится. Загрузите его снова.",
    "Choose when to post: now, at a time, in the queue or repeating.":
        "Выберите, когда публиковать: сейчас, ко времени, в очередь или повторять.",
    "Pick a date and time.": "Укажите дату и время.",
    "{time} is in the past ({zone}). Pick a later time.": "{time} уже прошло ({zone}). Выберите время позже.",
    "{value} is not a date and time.": "{value} — не дата и время.",
    "This post is already being sent or is published, so it can no longer be changed.":
        "Пост уже отправляется или опубликован, изменить его нельзя.",
    "Nothing of this post is waiting any more, so there is nothing to cancel.":
        "Ничего из этого поста уже не ждёт публикации — отменять нечего.",
    "That UTM preset no longer exists. Choose another one.": "Такого набора UTM-меток больше нет. Выберите другой.",
    "The UTM preset cannot be used: {detail}": "Набор UTM-меток не подходит: {detail}",
    "{value} is not a time such as 10:00.": "{value} — не время вида 10:00.",
    "{account} has no queue times yet. Set them under Queue and UTM.":
        "У аккаунта {account} нет времени в очереди. Задайте его в разделе «Очередь и UTM».",
    "{account} has no free queue time in the coming year.": "У аккаунта {account} нет свободного времени в очереди на год вперёд.",
    "Choose daily, weekly or monthly.": "Выберите: каждый день, неделю или месяц.",
    "The series would end before its first post.": "Серия закончилась бы раньше первого поста.",
    "This post is not waiting for approval.": "Этот пост не ждёт согласования.",
    "Say what to change: the comment goes back with the post.": "Напишите, что поправить: комментарий вернётся вместе с постом.",
    "This inbox cannot store images.": "Этот сервер не может хранить фото.",
    "{name} is larger than any network takes ({maximum} MB).": "{name} больше, чем принимает любая соцсеть ({maximum} МБ).",
    "{name} is empty.": "Файл {name} пуст.",
    "{name} is not a JPG, PNG, GIF, WEBP, BMP or TIFF image.": "{name} — не изображение JPG, PNG, GIF, WEBP, BMP или TIFF.",
    "{account}: {network} needs a text or an image. Write a text for it.":
        "{account}: {network} нужен текст или фото. Напишите текст.",
    "{account}: the text is {length} characters long; {network} takes at most {maximum}.":
        "{account}: в тексте {length} символов, а {network} принимает не больше {maximum}.",
    "{account}: {network} takes at most {maximum} images per post; this post has {count}.":
        "{account}: {network} принимает не больше {maximum} фото в посте, а здесь {count}.",
    "{account}: {name} is not an image that can be posted (JPG, PNG, GIF or WEBP).":
        "{account}: {name} — не фото, которое можно опубликовать (JPG, PNG, GIF или WEBP).",
    "{account}: {name} is not a readable image.": "{account}: {name} не читается как изображение.",
    "{account}: {name} is a {actual} file labelled {content_type}.":
        "{account}: {name} — файл {actual}, а помечен как {content_type}.",
    "{account}: {network} does not take {format} images ({allowed} only).":
        "{account}: {network} не принимает {format} (только {allowed}).",
    "{account}: {name} is {size} MB; {network} takes at most {maximum} MB.":
        "{account}: {name} весит {size} МБ, а {network} принимает не больше {maximum} МБ.",
    "{account}: {name} has no pixels.": "{account}: в {name} нет ни одного пикселя.",
    "{account}: {name} is {width}×{height} px; {network} takes at most {maximum} px width plus height.":
        "{account}: {name} — {width}×{height} px, а {network} принимает не больше {maximum} px по сумме сторон.",
    "{account}: {name} is {width}×{height} px, too narrow for {network} (at most 1:20).":
        "{account}: {name} — {width}×{height} px, слишком узкое для {network} (не уже 1:20).",
}
