"""Realistic inbound texts for the live demo, for every network's emulator: ``sample(rng, kind, brand)``.

``kind`` is where the text appears: ``comment`` (under the brand's post), ``message`` (a private message to
the brand) or ``mention`` (someone's own public post that names the brand). Russian is the majority,
English the minority, with the sentiment mix a brand's inbox usually sees: questions, complaints and
praise, with emoji, typos, slang and the odd sarcastic remark. Templates take ``{brand}`` and a few
fillers (product, city, number of days, order number), so a few hundred templates give thousands of texts.

Each line of a corpus below is ``<sentiment> <kinds> <text>``: sentiment ``+``, ``=`` or ``-``; kinds a subset
of ``c`` (comment), ``m`` (message), ``n`` (mention). The sentiment is the author's intent, sarcasm included,
so the demo can show what a classifier gets right and wrong.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

KINDS = ("comment", "message", "mention")
_KIND_LETTERS = {"comment": "c", "message": "m", "mention": "n"}
_SENTIMENTS = {"+": "positive", "=": "neutral", "-": "negative"}
#: Share of Russian texts; the rest are English.
RU_SHARE = 0.8


@dataclass(frozen=True)
class DemoText:
    text: str
    lang: str  # "ru" or "en"
    sentiment: str  # "positive", "neutral" or "negative"


RU = """
= cm Здравствуйте! Подскажите, а доставка в {city_to} есть?
= cm Сколько идёт доставка в {city_to}? Заказ нужен к выходным
= cm А {product} сейчас в наличии? На сайте пишет "нет", а в приложении есть 🤔
= cm Добрый день. Как вернуть {product}, если не подошёл размер?
= cm Вы работаете в праздники?
= cm Подскажите пожалуйста режим работы в {city_in}
= cm А скидка по карте лояльности на акционные товары действует?
= cm Можно ли оплатить частями?
= cm Когда будет новая коллекция?
= cm А есть самовывоз?
= cm Скажите, а промокод из рассылки куда вводить?
= cm Есть ли у вас подарочные сертификаты? На какую сумму?
= cm Сколько стоит доставка курьером?
= cm подскажите а {product} можно в рассрочку взять
= cm здрасьте, а где посмотреть статус заказа {order}?
= cm Планируете открывать магазин в {city_in}?
= cm А где можно посмотреть состав? на упаковке очень мелко 🧐
= cm Добрый вечер! Можно поменять адрес доставки у заказа {order}?
= cm Какой срок гарантии на {product}?
= cm а вы доставляете в пункты выдачи или только курьером?
= cm Подскажите, вы сотрудничаете с блогерами? Куда писать?
= cm Хочу оформить заказ для компании, нужен счёт. Как это сделать?
= cm Есть ли вакансии в {city_in}?
= cm Можно ли отменить заказ {order}, если он уже собран?
= c Это новая упаковка или старая?
= c А будет такое же, но в другом цвете?
= c Сколько стоит? В посте цену не нашла
= c А в {city_in} будет?
= c Ссылку можно?
= c Какой размер на фото?
= c Это только онлайн или в магазинах тоже?
= c А для детей подойдёт?
= c Акция до какого числа?
= c Где купить? 🙏
= c Это реклама? 😄
= c а оно того стоит вообще?
= c Интересно, а по цене сколько будет
= c Ждём обзор!
= c Кто уже пробовал, отпишитесь
= n Кто-нибудь заказывал в {brand}? Как у них с доставкой в {city_to}?
= n Посоветуйте, что лучше взять: {product} в {brand} или где-то ещё?
= n Видела рекламу {brand}, кто пробовал — норм?
= n Говорят, {brand} открывается в {city_in}. Правда?
= n {brand} вроде акцию запустили, кто в курсе условий?
= n Есть кто работает в {brand}? Как там вообще?
= n Сравниваю {brand} и конкурентов, пока не определилась
= n Кто знает, у {brand} есть бесплатная доставка?
= n Попробовал {product} от {brand}. Пока без впечатлений, посмотрим
= n Сходили сегодня в {brand}. Народу много, очередь минут 10
= m Здравствуйте, хочу уточнить по заказу {order}. Когда примерно привезут?
= m Добрый день! Подскажите, как связаться с менеджером?
= m Добрый день, пишу по поводу сотрудничества. Кому можно направить предложение?
= m Здравствуйте. Нужна консультация по выбору, удобно здесь?
= m Привет! А можно забронировать {product} до пятницы?
= m Здравствуйте, оплатил заказ {order}, пришло ли подтверждение?
= m Можно ли получить чек на почту? Заказ {order}
= m Здравствуйте! Как изменить номер телефона в личном кабинете?
= m Добрый вечер, у меня вопрос по бонусам: они сгорают?
= m Подскажите, пожалуйста, есть ли у вас оптовые цены
- cm Заказ {order} ждём уже {days}. Где он?? 😡
- cm Третий раз пишу, никто не отвечает. Это нормально вообще?
- cm Привезли {product} с браком. Хочу вернуть деньги
- cm Курьер опоздал на 3 часа и даже не позвонил. Спасибо, очень удобно 🙃
- cm Поддержка молчит уже {days}. Где ответ?
- cm Списали деньги два раза за один заказ!!! Верните
- cm Не работает приложение, не могу оформить заказ уже полдня
- cm Промокод не применяется, пишет "недействителен". Что за ерунда?
- cm {product} сломался через неделю. Качество упало очень сильно
- cm Ужасное обслуживание в магазине на {street}, продавец нахамил
- cm Обещали перезвонить и не перезвонили. Клиентоориентированность уровня бог 👏
- cm Почему цены подняли в два раза?? Раньше брала постоянно, теперь не знаю
- cm Доставка опять сорвалась. Я взяла отгул, чтобы вас ждать 😤
- cm Пришло не то, что заказывала. Брала {product}, а привезли какую-то ерунду
- cm Деньги за возврат не вернули уже {days}
- cm Отписываюсь. Сервис испортился окончательно
- cm заказ {order} отменили без объяснений, деньги висят
- cm Вы вообще читаете сообщения? Пишу уже неделю
- cm Курьер оставил посылку у двери и ушёл. Её, конечно, украли
- cm Продаёте просрочку, проверяйте сроки годности!
- cm Горячая линия не отвечает, 40 минут на удержании
- cm Очень разочарована. Раньше было намного лучше
- cm Оператор бросил трубку. Это так вы работаете с клиентами?
- cm Ну просто супер: заказ собран, но "нет курьеров" третий день 🤡
- cm Упаковка порвана, {product} помят. Как с этим быть?
- cm Не могу зайти в личный кабинет, пишет ошибка 500
- cm ну и где мой заказ {order}? трекинг не обновляется с понедельника
- cm бонусы сгорели, хотя должны были быть до конца месяца. верните
- c Опять реклама, а на вопросы в личке не отвечаете
- c Лучше бы доставку наладили, чем посты пилить
- c Ага, "новинка". Та же фигня, только дороже 🙄
- c Зачем удалили мой комментарий? Правда глаза колет?
- c Цена неадекватная, извините
- c Ой всё, больше не куплю
- c в прошлый раз брал — развалилось за месяц. мимо
- c Где обещанные подарки за отзыв?
- c Поменяйте уже поддержку, невозможно до вас достучаться
- c Качество — огонь, только сломалось через день 🔥🙃
- n Никогда больше не закажу в {brand}. Ждал {product} {days}, пришло с браком
- n {brand}, вы серьёзно? Второй раз теряете мою посылку
- n Хотела порадоваться покупке в {brand}, а получила стресс. Поддержка игнорит
- n Не советую {brand}: деньги списали, заказ отменили, возврата ждём {days}
- n Сходила в {brand} на {street}. Грязно, очередь, персонал хамит. Мимо
- n {brand} молодцы, конечно: подняли цены и урезали порции 👏👏👏
- n Кто-нибудь смог дозвониться в {brand}? Я уже час висю на линии
- n Зарекалась же заказывать в {brand}. Опять всё перепутали
- n Осторожно, у {brand} мошенники в комментах пишут от их имени
- n Ну {brand}, ну спасибо. Доставка "за 2 часа" идёт уже второй день
- m Здравствуйте. Мой заказ {order} так и не привезли, хотя статус "доставлен". Разберитесь, пожалуйста
- m Добрый день, мне пришёл повреждённый {product}. Фото прикладываю, прошу замену
- m Пишу уже в третий раз. Верните деньги за заказ {order}
- m Здравствуйте, с карты списали оплату дважды. Прошу вернуть лишнее
- m Ваш курьер нагрубил моей маме. Хочу оставить жалобу
- m Мне отказали в возврате без причины. Это законно?
- m Сколько можно ждать? Обещали связаться в течение суток, прошло {days}
+ cm Спасибо большое! Заказ пришёл быстро, всё целое 🙏
+ cm Обожаю ваш {product}! Беру уже третий раз ❤️
+ cm Лучший сервис в {city_in}, честно
+ cm Курьер — золото, привёз раньше времени и помог занести 👍
+ cm Спасибо поддержке, решили вопрос за 5 минут!
+ cm Очень вкусно, всем рекомендую 😋
+ cm Вы лучшие! Спасибо за подарок к заказу 🎁
+ cm Качество на высоте, спасибо
+ cm Купила {product} маме, она в восторге 😍
+ cm Спасибо, что вернули деньги так быстро. Приятно удивлена
+ cm Давно хотела попробовать — не разочаровалась!
+ cm Классная акция, успел взять два 🔥
+ cm Это лучший {product}, что у меня был
+ cm Продавец в {city_in} очень помогла с выбором, спасибо ей!
+ cm Приложение стало намного удобнее, респект разработчикам
+ cm Доставили за час. Магия какая-то ✨
+ c Огонь 🔥🔥🔥
+ c Красота какая 😍
+ c Хочу!!!
+ c Беру!
+ c Наконец-то! Ждала эту новинку
+ c Выглядит очень круто
+ c Супер, спасибо за пост
+ c Лайк не глядя ❤️
+ c Ооо, это прям моё
+ c Всегда беру у вас, ни разу не подвели
+ c Ребята, вы молодцы 💪
+ c топчик
+ c Обалденно! А будет ещё такое?
+ c Лучший подарок на др 🎉
+ c Уже заказала, жду не дождусь
+ n Наконец-то дошли руки до {brand}. Очень понравилось, {product} просто топ
+ n Хочу отметить {brand}: быстро, вежливо, всё как обещали 👍
+ n Заказала в {brand} {product} — пришло на следующий день. Рекомендую!
+ n Если ищете {product}, смотрите в {brand}. Я довольна
+ n {brand} сегодня спасли мой вечер 🙌
+ n Лучшее открытие месяца — {brand}. Всем советую
+ n Поддержка {brand} — редкий случай, когда реально помогают
+ n Второй год беру {product} только в {brand}, ни разу не пожалела
+ n Зашли с друзьями в {brand} в {city_in}, атмосфера супер
+ n Спасибо {brand} за подарок на день рождения, очень приятно ❤️
+ m Здравствуйте! Хотела просто поблагодарить вашего курьера, очень вежливый
+ m Спасибо за быструю помощь с заказом {order}! 😊
+ m Добрый день! Всё получила, всё отлично. Спасибо!
+ m Спасибо, что пошли навстречу с обменом. Буду заказывать ещё
+ m Привет! Ваш {product} — лучшее, что я покупала в этом году 🙂
= cm А {product} на маркетплейсах это ваш оригинал или подделка?
= cm подскажите, а ночью доставляете?
= cm Как получить бонусы за отзыв?
= cm А если заказ больше 5000, доставка бесплатная?
= cm Добрый день, а есть версия без сахара?
= cm Для аллергиков подойдёт? Там есть орехи?
= cm кто отвечает за сайт? там корзина не сохраняется
= c Это в каком магазине снимали?
= c ого, а сколько по времени готовится?
= c А можно такое же, но с доставкой в {city_to}?
= c В прошлом году было дешевле, или мне кажется?
= n Кто-нибудь знает, {brand} делает возвраты без чека?
= n Думаю взять {product} в {brand}. Кто брал, как впечатления?
= n {brand} или конкуренты — что посоветуете для подарка?
- cm Второй день не могу дозвониться, какой-то кошмар
- cm Опять задержка. Уже даже не удивляюсь
- cm Сервис хуже некуда. Заказ {order} "в пути" {days}
- cm Акция оказалась обманом: на кассе цена другая
- c Вот бы вы так же быстро отвечали в личке, как посты выкладываете
- c Удалите уже этот спам в комментах, невозможно читать
- c Мда. Ожидание/реальность 😬
- n Поставила {brand} одну звезду. Заслуженно
- n Кто-нибудь получил деньги назад от {brand}? Я уже отчаялась
+ cm Вау, не ожидала такого качества за такие деньги!
+ cm Всё пришло вовремя, упаковано бережно. Спасибо 🙏
+ c Вы лучшие в {city_in} 🏆
+ c Обожаю вас ❤️❤️❤️
+ n Маленький отзыв: {brand} — 10 из 10, вернусь ещё
= cm Здраствуйте, а заказ можно оплотить при получении?
= cm скажите плиз до скольки работает точка на {street}
= c а чё по цене?
= c норм или так себе? кто пробовал
- cm капец, третий раз переносят доставку
- c ну такое себе, если честно
- c кринж какой-то, а не реклама
+ c имба 🔥
+ c вообще кайф
+ cm спс, всё пришло, всё чётко 👌
- n {brand} опять накосячили, пипец
+ n {brand} красавчики, респект 🤝
= m Здравствуйте, можно ли получить счёт-фактуру на заказ {order}?
= m Добрый день! Интересует корпоративный заказ на 50 человек, с кем связаться?
- m Почему мне не начислили кешбэк за заказ {order}?
- m Вы прислали мне чужой заказ. Мой где?
+ m Спасибо, что ответили в выходной, очень выручили!
= cm Добрый день! А у вас есть программа лояльности для постоянных клиентов?
= cm Подскажите, можно ли забрать заказ {order} завтра, а не сегодня?
= cm Привет) а где посмотреть меню на неделю?
= cm Скажите, вы принимаете карты "Мир"?
= cm А можно заказать доставку к определённому времени?
= cm Здравствуйте, а скидка именинникам есть?
= c Сколько по времени действует промокод?
= c А веганский вариант будет?
= c Где вы это фотографировали? Очень красиво
= c Подскажите название трека в видео 🙏
= n Кто знает, {brand} работает 1 января?
= n Ищу, где купить {product} в {city_in}. {brand} норм вариант?
- cm Приложение снова вылетает при оплате. Третий день так
- cm Заказывала на 12:00, привезли в 16:30. Без извинений
- cm Вы серьёзно? {product} за такие деньги и сломан из коробки
- cm Как можно было перепутать адрес, если он есть в заказе?!
- cm Почему отменили мой отзыв? Он был честный
- c Раньше было вкуснее, сейчас экономите на всём
- c Опять подорожание? Спасибо, что не в два раза 🙃
- c Комментарии чистите, а проблемы не решаете
- n Второй раз за месяц {brand} теряет заказ. Рекорд?
- n Не берите {product} в {brand}, брак на браке
- m Здравствуйте. Я не получила кешбэк, хотя условия акции выполнила
- m Добрый вечер. Курьер не дождался и увёз заказ {order} обратно, хотя я была дома
+ cm Спасибо за быструю замену, приятно иметь с вами дело 👍
+ cm Ребята, вы спасли мой праздник! Торт был шикарный 🎂
+ cm Бариста на {street} — лучший, передайте ему спасибо
+ c Это шедевр 😍
+ c Вкусно, быстро, красиво — что ещё надо
+ c Подписалась и не жалею
+ n Открыла для себя {brand}, теперь только к ним
+ n Заказ от {brand} пришёл раньше срока, всё аккуратно. Так держать!
+ m Добрый день! Хочу похвалить вашу поддержку — ответили за две минуты
= m Здравствуйте, подскажите, как отписаться от смс-рассылки?
- m Заберите, пожалуйста, мои данные из базы, я не давала согласия на рассылку
"""

EN = """
= cm Hi! Do you ship to {city}?
= cm How long does delivery usually take?
= cm Is the {product} back in stock anytime soon?
= cm Can I change the delivery address for order {order}?
= cm Do you have gift cards?
= cm What are your opening hours on holidays?
= cm Is there a student discount?
= c What size is the one in the photo?
= c Link please?
= c Is this available in other colours?
= c How much is it?
= n Anyone tried {brand}? Thinking of ordering the {product}
= n Does {brand} deliver to {city}? Asking for a friend
= n {brand} or the usual place, which one is better for gifts?
= m Hi, I'd like to check the status of my order {order}
= m Hello, who can I talk to about a partnership?
= m Hi there, can I get an invoice for order {order}?
- cm My order {order} has been "in transit" for {days}. Where is it?
- cm You charged me twice for the same order. Please refund
- cm The app keeps crashing at checkout, super annoying
- cm Got a broken {product}. Not happy at all
- cm Support hasn't replied in {days}. Seriously?
- cm Courier never showed up. Great service, thanks a lot 🙃
- c Stop posting ads and answer your DMs
- c Prices went up again? No thanks
- c Same product, new box, higher price. Nice try 🙄
- n Never ordering from {brand} again. Lost my parcel twice
- n {brand} customer service is a joke. On hold for 40 min
- n Wow {brand}, charging me twice is a new low
- m Hi, my order {order} never arrived although it says delivered
- m I've been waiting {days} for my refund. Please help
+ cm Thank you so much, arrived early and well packed! 🙏
+ cm Love your {product}, best purchase this year ❤️
+ cm Your support team is amazing, fixed my issue in minutes
+ c Looks amazing 😍
+ c Need this!
+ c Best in {city}, hands down
+ c 🔥🔥🔥
+ n Shoutout to {brand} for the fastest delivery ever 🙌
+ n Finally tried {brand} and it's sooo good. 10/10
+ n If you need a {product}, {brand} is the place. Trust me
+ m Just wanted to say thanks, the courier was super kind 🙂
= cm does the promo code work on sale items?
= c any plans to open in {city}?
- c lol the "new formula" tastes worse
- n ok {brand} what happened to your quality lately?
+ c ngl this is fire
+ n {brand} never disappoints tbh
= cm Is the {product} suitable for kids?
= cm Can I pick up my order {order} tomorrow instead?
= c Where was this photo taken?
= n Thinking about trying {brand}. Worth it?
- cm Ordered for noon, arrived at 4pm. No apology
- c Another price hike? Cool cool cool 🙃
- n {brand} lost my order again. Second time this month
- m Hi, I still haven't received my cashback for order {order}
+ cm Thanks for the quick replacement, really appreciate it 👍
+ c This is a masterpiece 😍
+ n Ordered from {brand} yesterday, arrived early and perfect. Recommend!
+ m Just wanted to praise your support team, replied in two minutes
"""

#: The rare long, formatted or right-to-left texts real inboxes get too (kept out of the everyday mix).
UNUSUAL = [
    DemoText("<b>Внимание!</b> Ваш сайт показывает &lt;ошибку&gt; при оплате <script>alert(1)</script>", "ru",
             "negative"),
    DemoText("مرحبا، هل يمكن التوصيل إلى {city}؟ shipping to {city}?", "en", "neutral"),
    DemoText("Спасибо!!! " + "🎉" * 30, "ru", "positive"),
    DemoText(("Длинный отзыв о {brand}. " + "Было по-разному, но в целом неплохо. " * 60).strip(), "ru", "neutral"),
]

FILLERS = {
    "ru": {
        # Inanimate masculine nouns only, so "ваш {product}", "{product} сломался" and "купила {product}" agree.
        "product": ["заказ", "набор", "подарочный бокс", "крем", "рюкзак", "торт", "чайник", "худи", "абонемент",
                    "сертификат", "кофе", "увлажнитель", "пуховик", "блендер"],
        # Russian needs the case: "доставка в Казань" (city_to), "магазин в Казани" (city_in).
        "city": [("Москву", "Москве"), ("Казань", "Казани"), ("Новосибирск", "Новосибирске"),
                 ("Екатеринбург", "Екатеринбурге"), ("Самару", "Самаре"), ("Пермь", "Перми"),
                 ("Воронеж", "Воронеже"), ("Тверь", "Твери"), ("Краснодар", "Краснодаре"),
                 ("Калининград", "Калининграде")],
        "street": ["Тверской", "Ленина", "Невском", "Баумана", "Красной", "Гагарина"],
    },
    "en": {
        "product": ["coffee", "gift box", "hoodie", "sneakers", "charger", "cake", "subscription",
                    "backpack", "face cream"],
        "city": [(c, c) for c in ["London", "Berlin", "Riga", "Tbilisi", "Dubai", "Belgrade", "Almaty", "Yerevan"]],
        "street": ["High Street", "Main Street", "Baker Street"],
    },
}


def _parse(corpus: str, lang: str) -> list[tuple[DemoText, str]]:
    found = []
    for line in corpus.strip().splitlines():
        sentiment, kinds, text = line.split(" ", 2)
        found.append((DemoText(text, lang, _SENTIMENTS[sentiment]), kinds))
    return found


_TEMPLATES = {"ru": _parse(RU, "ru"), "en": _parse(EN, "en")}


def templates(lang: str | None = None) -> list[DemoText]:
    """Every template (unfilled), for one language or all."""
    langs = [lang] if lang else list(_TEMPLATES)
    return [t for name in langs for t, _ in _TEMPLATES[name]]


def sample(rng: random.Random, kind: str, brand: str, *, unusual_share: float = 0.0) -> DemoText:
    """One filled-in text of ``kind`` about ``brand``; ``unusual_share`` of them HTML, RTL, long or emoji-heavy."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if unusual_share and rng.random() < unusual_share:
        template = rng.choice(UNUSUAL)
    else:
        lang = "ru" if rng.random() < RU_SHARE else "en"
        letter = _KIND_LETTERS[kind]
        template = rng.choice([t for t, kinds in _TEMPLATES[lang] if letter in kinds])
    fillers = FILLERS[template.lang]
    city_to, city_in = rng.choice(fillers["city"])
    order = f"{'№' if template.lang == 'ru' else '#'}{rng.randint(100000, 999999)}"
    text = template.text.format(
        brand=brand, product=rng.choice(fillers["product"]), city=city_in, city_to=city_to, city_in=city_in,
        street=rng.choice(fillers["street"]), days=_days(rng.randint(2, 14), template.lang), order=order)
    return DemoText(text, template.lang, template.sentiment)


def _days(n: int, lang: str) -> str:
    if lang == "en":
        return f"{n} days"
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} день"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} дня"
    return f"{n} дней"


#: (first names, last names) by language and gender, so a Russian surname agrees with the first name.
NAMES = {
    "ru": [(["Анна", "Мария", "Екатерина", "Ольга", "Дарья", "Ирина", "Юлия", "Татьяна", "Алина", "Полина"],
            ["Иванова", "Кузнецова", "Соколова", "Козлова", "Морозова", "Волкова", "Павлова", "Белова"]),
           (["Алексей", "Дмитрий", "Сергей", "Иван", "Никита", "Павел", "Артём", "Максим", "Егор", "Тимур"],
            ["Смирнов", "Попов", "Лебедев", "Новиков", "Фёдоров", "Орлов", "Зайцев", "Гусев"])],
    "en": [(["Emma", "Olivia", "Ava", "Mia", "Sofia", "Chloe", "Liam", "Noah", "James", "Lucas", "Leo", "Adam"],
            ["Smith", "Brown", "Taylor", "Wilson", "Clark", "Walker", "Young", "King"])],
}


def person(rng: random.Random, lang: str) -> tuple[str, str]:
    """A plausible first and last name for an author writing in ``lang``."""
    first_names, last_names = rng.choice(NAMES[lang])
    return rng.choice(first_names), rng.choice(last_names)
