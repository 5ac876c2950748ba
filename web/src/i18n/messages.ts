// The message catalogue of the activation page, keyed. English is the
// reference and every other language has each of its keys, in the register
// of the invitation emails (German "Sie", French "vous", Spanish "usted",
// Dutch "je", Brazilian Portuguese "você"). Placeholders are {name}.
const en = {
  "activate.checking": "Checking your invitation…",
  "activate.title": "Join {organization}",
  "activate.greeting": "Hello {name}, you have been invited to {organization}. Choose a password to activate your account.",
  "activate.greetingNoName": "You have been invited to {organization}. Choose a password to activate your account.",
  "activate.email": "Email",
  "activate.firstName": "First name",
  "activate.lastName": "Last name",
  "activate.password": "Password",
  "activate.passwordHint": "At least 12 characters. Avoid your name, your email and common words.",
  "activate.confirm": "Repeat the password",
  "activate.mismatch": "The two passwords are not the same.",
  "activate.submit": "Activate my account",
  "activate.submitting": "Activating…",
  "activate.expires": "This invitation is valid until {date}.",
  "activate.done.title": "Your account is active",
  "activate.done.body": "Welcome, {name}. You are signed in.",
  "activate.done.open": "Open the console",
  "activate.done.signIn": "You can now sign in with {email} and your new password.",
  "activate.expired.title": "This invitation has expired",
  "activate.expired.body": "Invitations are valid for a limited time. We can send a new link to the address on file.",
  "activate.expired.renew": "Send me a new link",
  "activate.expired.renewing": "Sending…",
  "activate.expired.sent": "A new invitation is on its way. Check your inbox (and your spam folder) for the latest email.",
  "activate.expiredFinal.body": "It can no longer be renewed. Ask your administrator for a new invitation.",
  "activate.revoked.title": "This link is no longer valid",
  "activate.revoked.superseded": "A newer invitation was sent to you. Use the link in the latest email.",
  "activate.revoked.other": "This invitation was withdrawn. Ask your administrator for a new one.",
  "activate.accepted.title": "This invitation was already used",
  "activate.accepted.body": "Your account is active. Sign in with your email and password.",
  "activate.accepted.signIn": "Go to sign-in",
  "activate.invalid.title": "This link is not valid",
  "activate.invalid.body": "Check that you opened the whole link from the email, or ask your administrator for a new invitation.",
  "activate.error.title": "Something went wrong",
  "activate.error.body": "Please try again in a moment.",
  "activate.rateLimited": "Too many attempts. Try again in a minute.",
  "activate.poweredBy": "Account activation",
} as const;

export type MessageKey = keyof typeof en;
type Catalogue = Record<MessageKey, string>;

// German, with the formal "Sie" of the emails.
const de: Catalogue = {
  "activate.checking": "Ihre Einladung wird geprüft …",
  "activate.title": "Willkommen bei {organization}",
  "activate.greeting": "Hallo {name}, Sie wurden zu {organization} eingeladen. Wählen Sie ein Passwort, um Ihr Konto zu aktivieren.",
  "activate.greetingNoName": "Sie wurden zu {organization} eingeladen. Wählen Sie ein Passwort, um Ihr Konto zu aktivieren.",
  "activate.email": "E-Mail",
  "activate.firstName": "Vorname",
  "activate.lastName": "Nachname",
  "activate.password": "Passwort",
  "activate.passwordHint": "Mindestens 12 Zeichen. Vermeiden Sie Ihren Namen, Ihre E-Mail-Adresse und gängige Wörter.",
  "activate.confirm": "Passwort wiederholen",
  "activate.mismatch": "Die beiden Passwörter stimmen nicht überein.",
  "activate.submit": "Konto aktivieren",
  "activate.submitting": "Wird aktiviert …",
  "activate.expires": "Diese Einladung ist gültig bis {date}.",
  "activate.done.title": "Ihr Konto ist aktiv",
  "activate.done.body": "Willkommen, {name}. Sie sind angemeldet.",
  "activate.done.open": "Konsole öffnen",
  "activate.done.signIn": "Sie können sich jetzt mit {email} und Ihrem neuen Passwort anmelden.",
  "activate.expired.title": "Diese Einladung ist abgelaufen",
  "activate.expired.body": "Einladungen sind nur begrenzt gültig. Wir können einen neuen Link an die hinterlegte Adresse senden.",
  "activate.expired.renew": "Neuen Link senden",
  "activate.expired.renewing": "Wird gesendet …",
  "activate.expired.sent": "Eine neue Einladung ist unterwegs. Sehen Sie in Ihrem Posteingang (und im Spam-Ordner) nach der neuesten E-Mail.",
  "activate.expiredFinal.body": "Sie kann nicht mehr erneuert werden. Bitten Sie Ihren Administrator um eine neue Einladung.",
  "activate.revoked.title": "Dieser Link ist nicht mehr gültig",
  "activate.revoked.superseded": "Ihnen wurde eine neuere Einladung gesendet. Verwenden Sie den Link aus der neuesten E-Mail.",
  "activate.revoked.other": "Diese Einladung wurde zurückgezogen. Bitten Sie Ihren Administrator um eine neue.",
  "activate.accepted.title": "Diese Einladung wurde bereits verwendet",
  "activate.accepted.body": "Ihr Konto ist aktiv. Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an.",
  "activate.accepted.signIn": "Zur Anmeldung",
  "activate.invalid.title": "Dieser Link ist ungültig",
  "activate.invalid.body": "Prüfen Sie, ob Sie den vollständigen Link aus der E-Mail geöffnet haben, oder bitten Sie Ihren Administrator um eine neue Einladung.",
  "activate.error.title": "Etwas ist schiefgelaufen",
  "activate.error.body": "Bitte versuchen Sie es gleich noch einmal.",
  "activate.rateLimited": "Zu viele Versuche. Versuchen Sie es in einer Minute erneut.",
  "activate.poweredBy": "Kontoaktivierung",
};

// French, with "vous".
const fr: Catalogue = {
  "activate.checking": "Vérification de votre invitation…",
  "activate.title": "Rejoindre {organization}",
  "activate.greeting": "Bonjour {name}, vous avez reçu une invitation à rejoindre {organization}. Choisissez un mot de passe pour activer votre compte.",
  "activate.greetingNoName": "Vous avez reçu une invitation à rejoindre {organization}. Choisissez un mot de passe pour activer votre compte.",
  "activate.email": "E-mail",
  "activate.firstName": "Prénom",
  "activate.lastName": "Nom",
  "activate.password": "Mot de passe",
  "activate.passwordHint": "Au moins 12 caractères. Évitez votre nom, votre adresse e-mail et les mots courants.",
  "activate.confirm": "Confirmez le mot de passe",
  "activate.mismatch": "Les deux mots de passe ne sont pas identiques.",
  "activate.submit": "Activer mon compte",
  "activate.submitting": "Activation…",
  "activate.expires": "Cette invitation est valable jusqu’au {date}.",
  "activate.done.title": "Votre compte est actif",
  "activate.done.body": "Bienvenue, {name}. Votre session est ouverte.",
  "activate.done.open": "Ouvrir la console",
  "activate.done.signIn": "Vous pouvez maintenant vous connecter avec {email} et votre nouveau mot de passe.",
  "activate.expired.title": "Cette invitation a expiré",
  "activate.expired.body": "Les invitations sont valables pour une durée limitée. Nous pouvons envoyer un nouveau lien à l’adresse enregistrée.",
  "activate.expired.renew": "M’envoyer un nouveau lien",
  "activate.expired.renewing": "Envoi…",
  "activate.expired.sent": "Une nouvelle invitation est en route. Cherchez le dernier e-mail dans votre boîte de réception (et dans vos courriers indésirables).",
  "activate.expiredFinal.body": "Elle ne peut plus être renouvelée. Demandez une nouvelle invitation à votre administrateur.",
  "activate.revoked.title": "Ce lien n’est plus valable",
  "activate.revoked.superseded": "Une invitation plus récente vous a été envoyée. Utilisez le lien du dernier e-mail.",
  "activate.revoked.other": "Cette invitation a été retirée. Demandez-en une nouvelle à votre administrateur.",
  "activate.accepted.title": "Cette invitation a déjà été utilisée",
  "activate.accepted.body": "Votre compte est actif. Connectez-vous avec votre adresse e-mail et votre mot de passe.",
  "activate.accepted.signIn": "Aller à la connexion",
  "activate.invalid.title": "Ce lien n’est pas valable",
  "activate.invalid.body": "Vérifiez que vous avez ouvert le lien complet de l’e-mail, ou demandez une nouvelle invitation à votre administrateur.",
  "activate.error.title": "Une erreur s’est produite",
  "activate.error.body": "Veuillez réessayer dans un instant.",
  "activate.rateLimited": "Trop de tentatives. Réessayez dans une minute.",
  "activate.poweredBy": "Activation du compte",
};

// Spanish, with "usted".
const es: Catalogue = {
  "activate.checking": "Comprobando su invitación…",
  "activate.title": "Únase a {organization}",
  "activate.greeting": "Hola, {name}: ha recibido una invitación para unirse a {organization}. Elija una contraseña para activar su cuenta.",
  "activate.greetingNoName": "Ha recibido una invitación para unirse a {organization}. Elija una contraseña para activar su cuenta.",
  "activate.email": "Correo electrónico",
  "activate.firstName": "Nombre",
  "activate.lastName": "Apellidos",
  "activate.password": "Contraseña",
  "activate.passwordHint": "Al menos 12 caracteres. Evite su nombre, su correo electrónico y las palabras comunes.",
  "activate.confirm": "Repita la contraseña",
  "activate.mismatch": "Las dos contraseñas no coinciden.",
  "activate.submit": "Activar mi cuenta",
  "activate.submitting": "Activando…",
  "activate.expires": "Esta invitación es válida hasta el {date}.",
  "activate.done.title": "Su cuenta está activa",
  "activate.done.body": "Le damos la bienvenida, {name}. Ya ha iniciado sesión.",
  "activate.done.open": "Abrir la consola",
  "activate.done.signIn": "Ya puede iniciar sesión con {email} y su nueva contraseña.",
  "activate.expired.title": "Esta invitación ha caducado",
  "activate.expired.body": "Las invitaciones son válidas durante un tiempo limitado. Podemos enviar un enlace nuevo a la dirección registrada.",
  "activate.expired.renew": "Enviarme un enlace nuevo",
  "activate.expired.renewing": "Enviando…",
  "activate.expired.sent": "Le hemos enviado una nueva invitación. Busque el correo más reciente en su bandeja de entrada (y en la carpeta de correo no deseado).",
  "activate.expiredFinal.body": "Ya no se puede renovar. Pida una nueva invitación a su administrador.",
  "activate.revoked.title": "Este enlace ya no es válido",
  "activate.revoked.superseded": "Se le ha enviado una invitación más reciente. Use el enlace del último correo.",
  "activate.revoked.other": "Esta invitación se ha retirado. Pida una nueva a su administrador.",
  "activate.accepted.title": "Esta invitación ya se ha utilizado",
  "activate.accepted.body": "Su cuenta está activa. Inicie sesión con su correo electrónico y su contraseña.",
  "activate.accepted.signIn": "Ir al inicio de sesión",
  "activate.invalid.title": "Este enlace no es válido",
  "activate.invalid.body": "Compruebe que ha abierto el enlace completo del correo o pida una nueva invitación a su administrador.",
  "activate.error.title": "Algo ha salido mal",
  "activate.error.body": "Inténtelo de nuevo en un momento.",
  "activate.rateLimited": "Demasiados intentos. Inténtelo de nuevo dentro de un minuto.",
  "activate.poweredBy": "Activación de la cuenta",
};

// Dutch, with the "je" of Dutch product emails.
const nl: Catalogue = {
  "activate.checking": "Je uitnodiging wordt gecontroleerd…",
  "activate.title": "Word lid van {organization}",
  "activate.greeting": "Hallo {name}, je bent uitgenodigd voor {organization}. Kies een wachtwoord om je account te activeren.",
  "activate.greetingNoName": "Je bent uitgenodigd voor {organization}. Kies een wachtwoord om je account te activeren.",
  "activate.email": "E-mailadres",
  "activate.firstName": "Voornaam",
  "activate.lastName": "Achternaam",
  "activate.password": "Wachtwoord",
  "activate.passwordHint": "Minstens 12 tekens. Gebruik niet je naam, je e-mailadres of veelvoorkomende woorden.",
  "activate.confirm": "Herhaal het wachtwoord",
  "activate.mismatch": "De twee wachtwoorden zijn niet hetzelfde.",
  "activate.submit": "Account activeren",
  "activate.submitting": "Bezig met activeren…",
  "activate.expires": "Deze uitnodiging is geldig tot {date}.",
  "activate.done.title": "Je account is actief",
  "activate.done.body": "Welkom, {name}. Je bent ingelogd.",
  "activate.done.open": "Open de console",
  "activate.done.signIn": "Je kunt nu inloggen met {email} en je nieuwe wachtwoord.",
  "activate.expired.title": "Deze uitnodiging is verlopen",
  "activate.expired.body": "Uitnodigingen zijn beperkt geldig. We kunnen een nieuwe link naar het bekende adres sturen.",
  "activate.expired.renew": "Stuur me een nieuwe link",
  "activate.expired.renewing": "Bezig met versturen…",
  "activate.expired.sent": "Er is een nieuwe uitnodiging onderweg. Kijk in je inbox (en je spammap) naar de nieuwste e-mail.",
  "activate.expiredFinal.body": "Ze kan niet meer worden vernieuwd. Vraag je beheerder om een nieuwe uitnodiging.",
  "activate.revoked.title": "Deze link is niet meer geldig",
  "activate.revoked.superseded": "Er is je een nieuwere uitnodiging gestuurd. Gebruik de link in de nieuwste e-mail.",
  "activate.revoked.other": "Deze uitnodiging is ingetrokken. Vraag je beheerder om een nieuwe.",
  "activate.accepted.title": "Deze uitnodiging is al gebruikt",
  "activate.accepted.body": "Je account is actief. Log in met je e-mailadres en wachtwoord.",
  "activate.accepted.signIn": "Naar inloggen",
  "activate.invalid.title": "Deze link is ongeldig",
  "activate.invalid.body": "Controleer of je de volledige link uit de e-mail hebt geopend, of vraag je beheerder om een nieuwe uitnodiging.",
  "activate.error.title": "Er ging iets mis",
  "activate.error.body": "Probeer het zo meteen nog eens.",
  "activate.rateLimited": "Te veel pogingen. Probeer het over een minuut opnieuw.",
  "activate.poweredBy": "Account activeren",
};

// Brazilian Portuguese, with "você".
const ptBR: Catalogue = {
  "activate.checking": "Verificando seu convite…",
  "activate.title": "Participe de {organization}",
  "activate.greeting": "Olá, {name}! Você recebeu um convite para participar de {organization}. Escolha uma senha para ativar sua conta.",
  "activate.greetingNoName": "Você recebeu um convite para participar de {organization}. Escolha uma senha para ativar sua conta.",
  "activate.email": "E-mail",
  "activate.firstName": "Nome",
  "activate.lastName": "Sobrenome",
  "activate.password": "Senha",
  "activate.passwordHint": "Pelo menos 12 caracteres. Evite seu nome, seu e-mail e palavras comuns.",
  "activate.confirm": "Repita a senha",
  "activate.mismatch": "As duas senhas não são iguais.",
  "activate.submit": "Ativar minha conta",
  "activate.submitting": "Ativando…",
  "activate.expires": "Este convite é válido até {date}.",
  "activate.done.title": "Sua conta está ativa",
  "activate.done.body": "Boas-vindas, {name}. Sua sessão foi iniciada.",
  "activate.done.open": "Abrir o console",
  "activate.done.signIn": "Agora você pode entrar com {email} e sua nova senha.",
  "activate.expired.title": "Este convite expirou",
  "activate.expired.body": "Os convites são válidos por tempo limitado. Podemos enviar um novo link para o endereço cadastrado.",
  "activate.expired.renew": "Enviar um novo link",
  "activate.expired.renewing": "Enviando…",
  "activate.expired.sent": "Um novo convite está a caminho. Procure o e-mail mais recente na sua caixa de entrada (e na pasta de spam).",
  "activate.expiredFinal.body": "Ele não pode mais ser renovado. Peça um novo convite ao seu administrador.",
  "activate.revoked.title": "Este link não é mais válido",
  "activate.revoked.superseded": "Um convite mais recente foi enviado para você. Use o link do e-mail mais recente.",
  "activate.revoked.other": "Este convite foi cancelado. Peça um novo ao seu administrador.",
  "activate.accepted.title": "Este convite já foi usado",
  "activate.accepted.body": "Sua conta está ativa. Entre com seu e-mail e sua senha.",
  "activate.accepted.signIn": "Ir para o login",
  "activate.invalid.title": "Este link não é válido",
  "activate.invalid.body": "Verifique se você abriu o link completo do e-mail ou peça um novo convite ao seu administrador.",
  "activate.error.title": "Algo deu errado",
  "activate.error.body": "Tente novamente em instantes.",
  "activate.rateLimited": "Muitas tentativas. Tente novamente em um minuto.",
  "activate.poweredBy": "Ativação da conta",
};

// Every catalogue is complete (the type says so): a page is never half in English.
const catalogues: Record<string, Catalogue> = { en, de, es, fr, nl, "pt-BR": ptBR };

/** The catalogue of a locale such as "fr-CA": itself or its language; undefined when neither has one. */
function catalogueOf(locale: string | undefined): Catalogue | undefined {
  if (!locale) return undefined;
  return catalogues[locale] ?? catalogues[locale.split("-")[0] ?? ""];
}

/** The best catalogue for a locale such as "fr-CA": itself, its language, or English. */
function catalogueFor(locale: string | undefined): Catalogue {
  return catalogueOf(locale) ?? en;
}

/** Looks a message up for a locale and fills in its placeholders. */
export function t(locale: string | undefined, key: MessageKey, params: Record<string, string> = {}): string {
  const text = catalogueFor(locale)[key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => params[name] ?? m);
}

/**
 * The first of the candidate locales the catalogue speaks (the invitee's
 * own, then the organization's default, say), else English.
 */
export function bestLocale(candidates: (string | undefined)[]): string {
  return candidates.find((c) => catalogueOf(c)) ?? "en";
}

/** The language a catalogue answers for a locale, for the page's lang attribute. */
export function languageOf(locale: string | undefined): string {
  if (locale && catalogues[locale]) return locale;
  const lang = locale?.split("-")[0];
  return lang && catalogues[lang] ? lang : "en";
}
