// Name and nickname pools of the benchmark data. Every last name is distinct enough that searching one of
// them matches well under 1% of a large organization (about 200 names over ~5,000 people).

export const FIRST_NAMES = [
  'Léa', 'Emma', 'Chloé', 'Inès', 'Manon', 'Camille', 'Sarah', 'Jade', 'Louise', 'Zoé', 'Alice', 'Juliette',
  'Lina', 'Anna', 'Eva', 'Clara', 'Margaux', 'Lucie', 'Pauline', 'Mathilde', 'Élise', 'Agathe', 'Noémie',
  'Hugo', 'Lucas', 'Louis', 'Gabriel', 'Arthur', 'Jules', 'Adam', 'Raphaël', 'Paul', 'Nathan', 'Thomas',
  'Théo', 'Maxime', 'Antoine', 'Victor', 'Baptiste', 'Clément', 'Quentin', 'Julien', 'Nicolas', 'Romain',
  'Alexandre', 'Mehdi', 'Yanis', 'Karim', 'Sofiane', 'Amine', 'Fatou', 'Aïcha', 'Mamadou', 'Wei', 'Mei',
  'Giulia', 'Marco', 'Sofia', 'Lukas', 'Hannah', 'Jan', 'Olga', 'Piotr', 'Ana', 'João', 'Diego', 'Lucía',
];

export const LAST_NAMES = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon',
  'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel',
  'Girard', 'André', 'Lefèvre', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Legrand', 'Garnier',
  'Faure', 'Rousseau', 'Blanc', 'Guérin', 'Muller', 'Henry', 'Roussel', 'Nicolas', 'Perrin', 'Morin',
  'Mathieu', 'Clément', 'Gauthier', 'Dumont', 'Lopez', 'Fontaine', 'Chevalier', 'Robin', 'Masson', 'Sanchez',
  'Gérard', 'Nguyen', 'Boyer', 'Denis', 'Lemaire', 'Duval', 'Joly', 'Gautier', 'Roger', 'Roche', 'Roy',
  'Noël', 'Meyer', 'Lucas', 'Meunier', 'Jean', 'Perez', 'Marchand', 'Dufour', 'Blanchard', 'Marie', 'Barbier',
  'Brun', 'Dumas', 'Brunet', 'Schmitt', 'Leroux', 'Colin', 'Fernandez', 'Pierre', 'Renard', 'Arnaud',
  'Rolland', 'Caron', 'Aubert', 'Giraud', 'Leclerc', 'Vidal', 'Bourgeois', 'Renaud', 'Lemoine', 'Picard',
  'Gaillard', 'Philippe', 'Leclercq', 'Lacroix', 'Fabre', 'Dupuis', 'Olivier', 'Rodriguez', 'Da Silva',
  'Hubert', 'Louis', 'Charles', 'Guillot', 'Rivière', 'Le Gall', 'Guillaume', 'Adam', 'Rey', 'Moulin',
  'Gonzalez', 'Berger', 'Lecomte', 'Menard', 'Fleury', 'Deschamps', 'Carpentier', 'Julien', 'Benoît',
  'Paris', 'Maillard', 'Marchal', 'Aubry', 'Vasseur', 'Le Roux', 'Renault', 'Jacquet', 'Collet', 'Prévost',
  'Poirier', 'Charpentier', 'Royer', 'Huet', 'Baron', 'Dupuy', 'Pons', 'Paul', 'Laine', 'Carré', 'Breton',
  'Rémy', 'Schneider', 'Perrot', 'Guyot', 'Barre', 'Marty', 'Cousin', 'Kowalczyk', 'Okafor', 'Haddad',
  'Benali', 'Traoré', 'Diallo', 'Yılmaz', 'Rossi', 'Ferrari', 'Novak', 'Horvat', 'Jansen', 'De Vries',
  'Andersson', 'Nieminen', 'Papadopoulos', 'Ivanova', 'Tanaka', 'Kim', 'Zhang', 'Wang', 'Chen', 'Singh',
  'Patel', 'Costa', 'Santos', 'Oliveira', 'Silva', 'Müller', 'Fischer', 'Weber', 'Wagner', 'Becker',
  'Hoffmann', 'Schulz', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz',
];

export const NICKNAMES = [
  'Marketing', 'Travel ✈️', 'AWS', 'Google Ads', 'Facebook Ads', 'Team lunch 🍕', 'Office supplies',
  'SaaS subscriptions', 'Fuel ⛽', 'Hotels 🏨', 'Client dinners 🍷', 'Recruiting', 'Software 💻', 'Events 🎉',
  'Taxi 🚕', 'Train tickets 🚆', 'Per diem', 'Equipment', 'Books 📚', 'Conference', 'Slack', 'Notion',
  'Figma', 'GitHub', 'Ads — Q3', 'Coffee ☕', 'Parking 🅿️', 'Salon Paris', 'Flowers 💐', 'Welcome pack 🎁',
  'Trade show', 'Freelancers', 'Courier 📦', 'Cloud', 'Phone bill 📱', 'Insurance', 'Legal', 'Training 🎓',
];

/** Given to about 0.4% of the cards; the benchmark searches a fragment of it. */
export const RARE_NICKNAME = 'Offsite Lisbon 🇵🇹';
