import type { LocaleTexts } from './types.ts';

export const fr: LocaleTexts = {
  empty: '(vide)',
  templates: {
    welcome: {
      subject: 'Bienvenue, {{user.givenName}}',
      body: `Bonjour {{user.displayName}},

Bienvenue parmi nous ! Votre compte {{user.userName}} est prêt pour votre premier jour, le {{user.employeeHireDate}}.

Service : {{user.department}}
Poste : {{user.title}}

Nous nous réjouissons de travailler avec vous.`,
    },
    onboardingReminder: {
      subject: 'Rappel : {{user.displayName}} arrive le {{user.employeeHireDate}}',
      body: `Bonjour {{manager.displayName}},

Pour rappel, {{user.displayName}} rejoint votre équipe le {{user.employeeHireDate}}. Son compte est {{user.userName}}.

Merci de vérifier que son matériel, ses accès et son programme de première semaine sont prêts.`,
    },
    activationCode: {
      subject: 'Activez votre compte',
      body: `Bonjour {{user.displayName}},

Votre code d'activation est : {{activation.code}}

Ouvrez {{activation.url}} et saisissez-le avec votre identifiant, {{user.userName}}, pour choisir votre mot de passe.

Le code est utilisable du {{activation.validFrom}} au {{activation.expiresAt}}. Gardez-le pour vous : le service informatique ne vous le demandera jamais.`,
    },
    activationConfirmed: {
      subject: 'Votre compte est activé',
      body: `Bonjour {{user.displayName}},

Votre compte {{user.userName}} a été activé. Si vous n'êtes pas à l'origine de cette activation, contactez immédiatement le support informatique.`,
    },
    managerUserMoved: {
      subject: '{{user.displayName}} change de poste',
      body: `Bonjour {{manager.displayName}},

La fiche de {{user.displayName}} ({{user.userName}}) a changé :

{{changes}}

Merci de vérifier les accès nécessaires à son nouveau poste.`,
    },
    managerBeforeLastDay: {
      subject: 'Dernier jour de {{user.displayName}} : {{user.employeeLeaveDateTime}}',
      body: `Bonjour {{manager.displayName}},

{{user.displayName}} ({{user.userName}}) quitte l'entreprise le {{user.employeeLeaveDateTime}}.

Merci d'organiser d'ici là la passation de son travail et de ses fichiers.`,
    },
    managerOnLastDay: {
      subject: "C'est aujourd'hui le dernier jour de {{user.displayName}}",
      body: `Bonjour {{manager.displayName}},

C'est aujourd'hui le dernier jour de {{user.displayName}} ({{user.userName}}). Ses accès prennent fin le {{user.employeeLeaveDateTime}}.`,
    },
    managerAfterLastDay: {
      subject: "{{user.displayName}} a quitté l'entreprise",
      body: `Bonjour {{manager.displayName}},

{{user.displayName}} ({{user.userName}}) a quitté l'entreprise le {{user.employeeLeaveDateTime}} et son compte a été désactivé.

Sa boîte aux lettres et ses fichiers seront supprimés selon votre politique de conservation.`,
    },
  },
};
