/** Czech names and subjects the school model draws from. */

export const BOY_NAMES = [
  "Jiří", "Jan", "Petr", "Josef", "Pavel", "Martin", "Tomáš", "Jaroslav", "Miroslav", "Zdeněk",
  "Václav", "Michal", "František", "Jakub", "Lukáš", "Ondřej", "Vojtěch", "Matěj", "Adam", "Filip",
  "Šimon", "Dominik", "Štěpán", "Tadeáš", "Vít", "Kryštof", "Daniel", "David", "Marek", "Radek",
  "Přemysl", "Bořivoj", "Čeněk", "Oldřich", "Řehoř", "Ctibor",
] as const;

export const GIRL_NAMES = [
  "Zuzana", "Jana", "Marie", "Eva", "Hana", "Anna", "Lenka", "Kateřina", "Lucie", "Věra",
  "Alena", "Petra", "Veronika", "Jaroslava", "Tereza", "Michaela", "Eliška", "Adéla", "Natálie",
  "Kristýna", "Barbora", "Klára", "Markéta", "Šárka", "Žaneta", "Růžena", "Ludmila", "Dagmar",
  "Nikola", "Zdeňka", "Bohdana", "Jitka",
] as const;

/** Surnames as [masculine, feminine]: Czech surnames change with gender. */
export const SURNAMES: readonly (readonly [string, string])[] = [
  ["Novák", "Nováková"], ["Svoboda", "Svobodová"], ["Novotný", "Novotná"], ["Dvořák", "Dvořáková"],
  ["Černý", "Černá"], ["Procházka", "Procházková"], ["Kučera", "Kučerová"], ["Veselý", "Veselá"],
  ["Horák", "Horáková"], ["Němec", "Němcová"], ["Marek", "Marková"], ["Pospíšil", "Pospíšilová"],
  ["Pokorný", "Pokorná"], ["Hájek", "Hájková"], ["Král", "Králová"], ["Jelínek", "Jelínková"],
  ["Růžička", "Růžičková"], ["Beneš", "Benešová"], ["Fiala", "Fialová"], ["Sedláček", "Sedláčková"],
  ["Doležal", "Doležalová"], ["Zeman", "Zemanová"], ["Kolář", "Kolářová"], ["Navrátil", "Navrátilová"],
  ["Čermák", "Čermáková"], ["Urban", "Urbanová"], ["Vaněk", "Vaňková"], ["Blažek", "Blažková"],
  ["Kříž", "Křížová"], ["Kovář", "Kovářová"], ["Šťastný", "Šťastná"], ["Čech", "Čechová"],
  ["Říha", "Říhová"], ["Bartoš", "Bartošová"], ["Vlček", "Vlčková"], ["Polák", "Poláková"],
  ["Musil", "Musilová"], ["Kopecký", "Kopecká"], ["Šimek", "Šimková"], ["Konečný", "Konečná"],
  ["Malý", "Malá"], ["Holub", "Holubová"], ["Štěpánek", "Štěpánková"], ["Kadlec", "Kadlecová"],
  ["Dušek", "Dušková"], ["Ševčík", "Ševčíková"], ["Žák", "Žáková"], ["Müller", "Müllerová"],
];

export const TEACHER_TITLES = ["Mgr.", "Mgr.", "Mgr.", "Ing.", "RNDr.", "PhDr.", "Bc.", "PaedDr."] as const;

/** [Abbrev, Name, weekly hours] of the subjects a whole class takes together; the first eight are core. */
export const REGULAR_SUBJECTS: readonly (readonly [string, string, number])[] = [
  ["ČJL", "Český jazyk a literatura", 4],
  ["M", "Matematika", 4],
  ["D", "Dějepis", 2],
  ["Z", "Zeměpis", 2],
  ["F", "Fyzika", 2],
  ["CH", "Chemie", 2],
  ["BI", "Biologie", 2],
  ["ZSV", "Základy společenských věd", 2],
  ["IVT", "Informatika a výpočetní technika", 2],
  ["HV", "Hudební výchova", 1],
  ["VV", "Výtvarná výchova", 1],
  ["OV", "Občanská výchova", 1],
  ["PŘ", "Přírodopis", 2],
  ["VZ", "Výchova ke zdraví", 1],
  ["PČ", "Pracovní činnosti", 1],
  ["ET", "Etická výchova", 1],
  ["LAT", "Latina", 1],
  ["EV", "Environmentální výchova", 1],
  ["DG", "Deskriptivní geometrie", 1],
  ["EKO", "Ekonomie", 1],
  ["PSY", "Psychologie", 1],
  ["FIL", "Filozofie", 1],
  ["KAJ", "Konverzace v anglickém jazyce", 1],
  ["SCvM", "Seminář a cvičení z matematiky", 1],
  ["PRG", "Programování", 1],
  ["MV", "Mediální výchova", 1],
  ["DV", "Dramatická výchova", 1],
  ["RV", "Rodinná výchova", 1],
  ["ČaS", "Člověk a svět práce", 1],
  ["GEO", "Geologie", 1],
  ["AST", "Astronomie", 1],
  ["ŘJ", "Řečnictví", 1],
  ["LIT", "Literární seminář", 1],
  ["DEJU", "Dějiny umění", 1],
  ["FG", "Finanční gramotnost", 1],
];

/** The second languages a class splits into. */
export const LANGUAGES: readonly (readonly [string, string])[] = [
  ["NJ", "Německý jazyk"],
  ["FJ", "Francouzský jazyk"],
  ["RJ", "Ruský jazyk"],
];
