"""Everything the assistant says that is not a fact from the profile, in Dutch and English."""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "greeting": {"nl": "{daypart}, u spreekt met de digitale assistent van {business}. {greeting}",
                 "en": "{daypart}, you are speaking with the digital assistant of {business}. {greeting}"},
    "anything_else": {"nl": "Kan ik u nog ergens anders mee helpen?", "en": "Is there anything else I can do for you?"},
    "goodbye": {"nl": "Bedankt voor het bellen en nog een fijne dag. Tot ziens!",
                "en": "Thank you for calling, have a nice day. Goodbye!"},
    "not_heard": {"nl": "Sorry, ik hoorde niets. Waarmee kan ik u helpen?",
                  "en": "Sorry, I did not hear anything. How can I help you?"},
    "clarify": {"nl": "Sorry, dat heb ik niet goed verstaan. Kunt u het nog eens zeggen? U kunt bijvoorbeeld vragen "
                      "naar onze openingstijden, een afspraak maken of een bericht achterlaten.",
                "en": "Sorry, I did not quite catch that. Could you say it again? You can for example ask about our "
                      "opening hours, make an appointment or leave a message."},
    "offer_help_open": {"nl": "Zal ik een bericht voor u aannemen, of wilt u een collega spreken?",
                        "en": "Shall I take a message for you, or would you like to speak to a colleague?"},
    "offer_help_closed": {"nl": "Zal ik een bericht aannemen, zodat een collega u terugbelt?",
                          "en": "Shall I take a message so that a colleague calls you back?"},
    "dont_know": {"nl": "Dat weet ik helaas niet.", "en": "I'm afraid I don't know that."},
    "cannot_see_orders": {"nl": "Dat kan ik helaas niet voor u inzien.",
                          "en": "I'm afraid I cannot look that up for you."},
    "injection": {"nl": "Daar kan ik u helaas niet mee helpen. Ik kan u informatie geven over {business}, een "
                        "afspraak noteren of een bericht aannemen.",
                  "en": "I'm afraid I can't help with that. I can give you information about {business}, note an "
                        "appointment or take a message."},
    "repeat_failed": {"nl": "Het spijt me, ik begrijp u niet goed. Ik neem een bericht aan, dan belt een collega "
                            "u terug.",
                      "en": "I'm sorry, I'm having trouble understanding you. I'll take a message and a colleague "
                            "will call you back."},
    "silence_prompt": {"nl": "Bent u er nog? Waarmee kan ik u helpen?", "en": "Are you still there? How can I help?"},
    "keys_not_needed": {"nl": "U hoeft geen toetsen in te drukken. Zegt u maar gewoon waarmee ik u kan helpen.",
                        "en": "There is no need to press keys. Just tell me how I can help."},
    "silence_goodbye": {"nl": "Ik hoor niets meer. Bedankt voor het bellen, tot ziens.",
                        "en": "I can't hear you any more. Thank you for calling, goodbye."},
    "transfer": {"nl": "Ik verbind u door met {name}, {role}. Een moment alstublieft.",
                 "en": "I'll put you through to {name}, {role}. One moment please."},
    "urgent_transfer": {"nl": "Dat klinkt dringend. Ik verbind u direct door met {name}, {role}.",
                        "en": "That sounds urgent. I'll put you straight through to {name}, {role}."},
    "urgent_closed": {"nl": "Dat klinkt dringend. {instructions} Ik kan ook een spoedbericht aannemen. "
                            "Wat is er aan de hand?",
                      "en": "That sounds urgent. {instructions} I can also take an urgent message. "
                            "What has happened?"},
    "urgent_nobody": {"nl": "Dat klinkt dringend. Er is op dit moment niemand vrij om u te woord te staan; ik neem "
                            "een spoedbericht aan. Wat is er aan de hand?",
                      "en": "That sounds urgent. Nobody is free to take your call right now; I'll take an urgent "
                            "message. What has happened?"},
    "life_threatening": {"nl": "Bel bij levensgevaar direct 112.", "en": "If a life is in danger, call 112 now."},
    "person_unavailable": {"nl": "{name} is op dit moment niet bereikbaar. Zal ik een bericht voor {name} aannemen?",
                           "en": "{name} is not available right now. Shall I take a message for {name}?"},
    "nobody_available": {"nl": "Er is op dit moment geen collega beschikbaar. Zal ik een bericht aannemen?",
                         "en": "No colleague is available right now. Shall I take a message?"},
    "which_person": {"nl": "Met wie wilt u spreken?", "en": "Who would you like to speak to?"},
    "which_service_price": {"nl": "Waarvan wilt u de prijs weten? We doen onder meer {services}.",
                            "en": "Which service would you like the price of? We offer {services}, among others."},
    "no_price": {"nl": "Voor {service} heb ik geen vaste prijs.", "en": "I don't have a fixed price for {service}."},
    "ask_name": {"nl": "Mag ik uw naam?", "en": "May I have your name?"},
    "ask_name_again": {"nl": "Sorry, ik verstond uw naam niet. Wilt u hem spellen, bijvoorbeeld A van Anton?",
                       "en": "Sorry, I didn't catch your name. Could you spell it for me?"},
    "ask_phone": {"nl": "Op welk telefoonnummer kunnen we u bereiken? U mag het ook intoetsen.",
                  "en": "On which phone number can we reach you? You may also type it on your keypad."},
    "ask_phone_again": {"nl": "Dat nummer heb ik niet helemaal. Wilt u het intoetsen, gevolgd door een hekje?",
                        "en": "I didn't get the whole number. Could you type it on your keypad, followed by hash?"},
    "confirm_caller_id": {"nl": "Kan ik u terugbellen op {number}?", "en": "Can we call you back on {number}?"},
    "ask_when_appointment": {"nl": "Welke dag en welk tijdstip zouden u het beste uitkomen?",
                             "en": "Which day and time would suit you best?"},
    "ask_when_change": {"nl": "Naar welke dag en welk tijdstip wilt u de afspraak verzetten?",
                        "en": "Which day and time would you like to move the appointment to?"},
    "ask_when_cancel": {"nl": "Op welke dag staat de afspraak die u wilt afzeggen?",
                        "en": "On which day is the appointment you want to cancel?"},
    "ask_when_again": {"nl": "Sorry, welke dag bedoelt u? U kunt bijvoorbeeld zeggen: volgende week dinsdag om "
                             "tien uur.",
                       "en": "Sorry, which day do you mean? You could say for example: next Tuesday at ten."},
    "when_in_past": {"nl": "Die dag is al voorbij. Welke andere dag past u?",
                     "en": "That day has already passed. Which other day suits you?"},
    "when_closed": {"nl": "Op {day} zijn we gesloten. Welke andere dag past u?",
                    "en": "We are closed on {day}. Which other day suits you?"},
    "when_outside_hours": {"nl": "Om {time} zijn we dan niet open; op {day} zijn we open {ranges}. "
                                 "Welk tijdstip past u?",
                           "en": "We are not open at {time} then; on {day} we are open {ranges}. "
                                 "Which time suits you?"},
    "ask_appointment_type": {"nl": "Waarvoor wilt u een afspraak maken? Bijvoorbeeld {types}.",
                             "en": "What would you like an appointment for? For example {types}."},
    "ask_party_size": {"nl": "Met hoeveel personen komt u?", "en": "For how many people?"},
    "ask_party_size_again": {"nl": "Voor hoeveel personen mag ik reserveren? Zegt u bijvoorbeeld: met z'n vieren.",
                             "en": "How many people should I book for? For example: four people."},
    "ask_description_message": {"nl": "Wat wilt u doorgeven?", "en": "What message would you like to leave?"},
    "ask_description_service": {"nl": "Waar gaat uw vraag over?", "en": "What is your question about?"},
    "ask_description_quote": {"nl": "Waar wilt u een offerte voor? Vertel gerust wat u zoekt.",
                              "en": "What would you like a quote for? Tell me what you have in mind."},
    "ask_description_urgent": {"nl": "Wat is er precies aan de hand?", "en": "What exactly has happened?"},
    "ask_description_callback": {"nl": "Waar gaat het over?", "en": "What is it about?"},
    "ask_description_again": {"nl": "Kunt u in een paar woorden zeggen waar het over gaat?",
                              "en": "Could you tell me in a few words what it is about?"},
    "ask_postcode": {"nl": "Wat is de postcode en het huisnummer van het adres?",
                     "en": "What is the postcode and house number of the address?"},
    "ask_postcode_again": {"nl": "Sorry, welke postcode? Vier cijfers en twee letters, bijvoorbeeld 3511 AB.",
                           "en": "Sorry, which postcode? Four digits and two letters, for example 3511 AB."},
    "ask_callback_window": {"nl": "Wanneer bent u het best bereikbaar?", "en": "When is the best time to reach you?"},
    "confirm": {"nl": "Ik noteer: {items}. Klopt dat?", "en": "Let me confirm: {items}. Is that right?"},
    "what_to_fix": {"nl": "Wat klopt er niet: uw naam, uw telefoonnummer of het tijdstip?",
                    "en": "What is not right: your name, your phone number or the time?"},
    "done_appointment": {"nl": "Dank u wel. Uw verzoek voor een afspraak is genoteerd; we nemen contact met u op om "
                               "de afspraak te bevestigen.",
                         "en": "Thank you. Your appointment request has been noted; we will contact you to confirm "
                               "it."},
    "done_appointment_change": {"nl": "Dank u wel. Uw verzoek om de afspraak te verzetten is genoteerd; we nemen "
                                      "contact met u op om de nieuwe tijd te bevestigen.",
                                "en": "Thank you. Your request to move the appointment has been noted; we will "
                                      "contact you to confirm the new time."},
    "done_appointment_cancel": {"nl": "Dank u wel. Ik heb genoteerd dat u de afspraak afzegt; we sturen u een "
                                      "bevestiging.",
                                "en": "Thank you. I have noted that you are cancelling the appointment; we will "
                                      "confirm it."},
    "done_message": {"nl": "Dank u wel, ik geef uw bericht door{recipient}. U wordt zo snel mogelijk teruggebeld.",
                     "en": "Thank you, I will pass on your message{recipient}. You will be called back as soon "
                           "as possible."},
    "done_callback": {"nl": "Dank u wel, we bellen u terug.", "en": "Thank you, we will call you back."},
    "done_quote": {"nl": "Dank u wel, uw aanvraag voor een offerte is genoteerd. We nemen contact met u op.",
                   "en": "Thank you, your quote request has been noted. We will get in touch with you."},
    "done_urgent": {"nl": "Dank u wel. Uw spoedbericht gaat direct naar een collega.",
                    "en": "Thank you. Your urgent message goes straight to a colleague."},
    "ok_no_message": {"nl": "Goed.", "en": "All right."},
    "language_switch": {"nl": "Natuurlijk.", "en": "Of course, I can help you in English."},
}


def say(key: str, language: str, **values: object) -> str:
    texts = PHRASES[key]
    return texts.get(language, texts["nl"]).format(**values)
