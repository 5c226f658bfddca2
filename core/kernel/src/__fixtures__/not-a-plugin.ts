export default { id: 'impostor', init: async () => ({}) };
